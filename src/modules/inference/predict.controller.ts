import { Controller, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Scopes } from 'src/platform/auth';
import { ApiProblems, LargeBody, RequestValidationError } from 'src/platform/http';
import { MODEL_NAME, MODEL_NAME_MESSAGE } from 'src/modules/registry';
import { PredictRequestDto, PredictResponseDto } from './inference.dto';
import { InferenceError } from './inference.errors';
import { InferenceService } from './inference.service';
import { PredictBody } from './row-encoder';

@ApiTags('inference')
@Controller('api/v1/models')
export class PredictController {
  constructor(private readonly inference: InferenceService) {}

  @Post(':name/predict')
  @HttpCode(200)
  @LargeBody()
  @Scopes('predict')
  @ApiOperation({
    summary: 'Predict with a model version',
    description:
      'Rows as `inputs` (objects keyed by feature name) or `instances` (arrays in feature order). Served by the `production` alias unless `version` or `alias` is given. Every value is checked against the version signature before the model runs. `Cache-Control: no-cache` bypasses the result cache. The header `X-Model-Version` carries the version that answered.',
  })
  @ApiParam({ name: 'name', description: 'Model name' })
  @ApiQuery({ name: 'version', required: false, type: Number, description: 'Serve this version instead of production' })
  @ApiQuery({ name: 'alias', required: false, type: String, description: 'Serve the version this alias points at' })
  @ApiBody({ type: PredictRequestDto })
  @ApiHeader({ name: 'Cache-Control', required: false, description: '`no-cache` skips the result cache' })
  @ApiOkResponse({
    type: PredictResponseDto,
    headers: { 'X-Model-Version': { description: 'The version that answered', schema: { type: 'integer' } } },
  })
  @ApiProblems(400, 404, 413, 429, 503)
  async predict(
    @Param('name') name: string,
    @Query('version') version: string | undefined,
    @Query('alias') alias: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PredictResponseDto> {
    const ref = parseRef(name, version, alias);
    const body = (request.body ?? {}) as PredictBody;
    if (typeof body !== 'object' || Array.isArray(body)) {
      throw new InferenceError('INVALID_INPUT', 'The body must be an object with "inputs" or "instances".');
    }
    const unknown = Object.keys(body).filter((k) => k !== 'inputs' && k !== 'instances');
    if (unknown.length)
      throw new InferenceError(
        'INVALID_INPUT',
        `Unknown field(s): ${unknown.join(', ')}; send "inputs" or "instances".`,
      );
    const result = await this.inference.predict(name, ref, body, {
      noCache: /no-cache|no-store/i.test(request.headers['cache-control'] ?? ''),
      bodyBytes: Number(request.headers['content-length'] ?? 0),
    });
    void reply.header('x-model-version', String(result.version));
    return { ...result, requestId: request.id };
  }
}

/** The hot path checks its few parameters by hand: the DTO pipeline costs more than the model on small rows. */
function parseRef(name: string, version?: string, alias?: string): { version?: number; alias?: string } {
  const errors = [];
  if (!MODEL_NAME.test(name)) errors.push({ field: 'name', code: 'MATCHES', message: MODEL_NAME_MESSAGE });
  if (version !== undefined && !/^[1-9]\d{0,8}$/.test(version)) {
    errors.push({ field: 'version', code: 'IS_INT', message: 'version must be a positive integer' });
  }
  if (alias !== undefined && !/^[\w-]{1,256}$/.test(alias)) {
    errors.push({ field: 'alias', code: 'MATCHES', message: 'alias must match ^[\\w-]{1,256}$' });
  }
  if (version !== undefined && alias !== undefined) {
    errors.push({ field: 'alias', code: 'EXCLUSIVE', message: 'give either version or alias, not both' });
  }
  if (errors.length > 0) throw new RequestValidationError(errors);
  return version !== undefined ? { version: Number(version) } : alias !== undefined ? { alias } : {};
}
