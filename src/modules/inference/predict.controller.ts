import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Scopes } from 'src/platform/auth';
import { ApiJsonBody, ApiProblems, LargeBody, LeanRoute, RawJsonBody } from 'src/platform/http';
import { JsonText } from 'src/platform/json';
import { PredictRequestDto, PredictResponseDto } from './inference.dto';
import { InferenceService } from './inference.service';
import { predictParams } from './route-params';

@ApiTags('inference')
@Controller('api/v1/models')
export class PredictController {
  constructor(private readonly inference: InferenceService) {}

  @Post(':name/predict')
  @HttpCode(200)
  @LargeBody()
  @LeanRoute()
  @RawJsonBody()
  @Scopes('predict')
  @ApiOperation({
    summary: 'Predict with a model version',
    description:
      'Rows as `inputs` (objects keyed by feature name) or `instances` (arrays in feature order). Served by the `production` alias unless `version` or `alias` is given. While an A/B experiment runs on the model, a request naming neither is served by a variant: chosen by the hash of the unit header (default `X-User-Id`, so a unit keeps its variant), at random without one; the answer names it in `experiment` and in `X-Variant`. Every value is checked against the version signature before the model runs. `Cache-Control: no-cache` bypasses the result cache. The header `X-Model-Version` carries the version that answered.',
  })
  @ApiParam({ name: 'name', type: String, description: 'Model name' })
  @ApiQuery({ name: 'version', required: false, type: Number, description: 'Serve this version instead of production' })
  @ApiQuery({ name: 'alias', required: false, type: String, description: 'Serve the version this alias points at' })
  @ApiHeader({ name: 'Cache-Control', required: false, description: '`no-cache` skips the result cache' })
  @ApiHeader({
    name: 'X-User-Id',
    required: false,
    description: "The unit an A/B experiment assigns a variant to (the experiment's `unitHeader`)",
  })
  @ApiOkResponse({
    type: PredictResponseDto,
    headers: {
      'X-Model-Version': { description: 'The version that answered', schema: { type: 'integer' } },
      'X-Variant': {
        description: 'The experiment variant that served it (routed requests only)',
        schema: { type: 'string' },
      },
    },
  })
  @ApiProblems(400, 404, 413, 429, 503)
  @ApiJsonBody(PredictRequestDto, {
    records: {
      inputs: [
        { tenure: 12, plan: 2 },
        { tenure: 3, plan: 1 },
      ],
    },
    instances: {
      instances: [
        [12, 2],
        [3, 1],
      ],
    },
  })
  async predict(request: FastifyRequest, reply: FastifyReply): Promise<JsonText> {
    const { name, ref } = predictParams(request.params, request.query);
    const answer = await this.inference.predictAnswer(request.principal!, name, ref, request.body, {
      noCache: /no-cache|no-store/i.test(request.headers['cache-control'] ?? ''),
      bodyBytes: Number(request.headers['content-length'] ?? 0),
      header: (h) => request.headers[h],
      requestId: request.id,
    });
    void reply.header('x-model-version', String(answer.version));
    if (answer.variant !== undefined) void reply.header('x-variant', answer.variant);
    // A PredictResponseDto as JSON text: a cache hit's text is made once per entry, not per request.
    return new JsonText(answer.json(request.id));
  }
}
