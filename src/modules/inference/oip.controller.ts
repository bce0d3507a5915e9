import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { Public, Scopes } from 'src/platform/auth';
import { ApiJsonBody, LargeBody, LeanRoute } from 'src/platform/http';
import { APP_VERSION } from 'src/platform/version';
import { InferenceError } from './inference.errors';
import { InferenceService } from './inference.service';
import { parseInferRequest, toFeeds, toResponseOutputs } from './oip-codec';
import { oipModelParams } from './route-params';
import {
  OipErrorDto,
  OipInferRequestDto,
  OipInferResponseDto,
  OipLiveDto,
  OipModelMetadataDto,
  OipReadyDto,
  OipRepositoryEntryDto,
  OipRepositoryIndexRequestDto,
  OipServerMetadataDto,
  OipServerReadyDto,
} from './oip.dto';
import { ServableVersion } from './servable';
import { oipDatatype } from './tensor-types';

/** Route parameters as they come: the protocol answers 404, not a validation error, for a name that cannot exist. */
type RouteParams = Record<string, string>;

const errors = (...statuses: number[]): MethodDecorator[] =>
  statuses.map((status) =>
    ApiResponse({ status, type: OipErrorDto, description: 'Open Inference Protocol error: {"error": "..."}' }),
  );

const apply =
  (decorators: MethodDecorator[]): MethodDecorator =>
  (target, key, descriptor) => {
    for (const d of decorators) d(target, key, descriptor);
  };

/** The Open Inference Protocol v2 (REST), with the model repository extension. Errors are `{"error": "..."}`. */
@ApiTags('open-inference-protocol')
@Controller('v2')
export class OipController {
  constructor(
    private readonly inference: InferenceService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Server metadata' })
  @ApiOkResponse({ type: OipServerMetadataDto })
  server(): OipServerMetadataDto {
    return { name: 'deltaone-platform', version: APP_VERSION, extensions: ['model_repository'] };
  }

  @Get('health/live')
  @Public()
  @SkipThrottle()
  @ApiOperation({ summary: 'Server liveness' })
  @ApiOkResponse({ type: OipLiveDto })
  live(): OipLiveDto {
    return { live: true };
  }

  @Get('health/ready')
  @Public()
  @SkipThrottle()
  @ApiOperation({ summary: 'Server readiness (the registry database answers)' })
  @ApiOkResponse({ type: OipServerReadyDto })
  @apply(errors(503))
  async ready(): Promise<OipServerReadyDto> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new InferenceError('MODEL_NOT_READY', 'The server is not ready: its database does not answer.');
    }
    return { ready: true };
  }

  @Get('models/:name')
  @Scopes('models:read')
  @ApiOperation({ summary: 'Model metadata (the production version)' })
  @ApiOkResponse({ type: OipModelMetadataDto })
  @ApiParam({ name: 'name', type: String })
  @apply(errors(404))
  async metadata(@Param() params: RouteParams): Promise<OipModelMetadataDto> {
    return toMetadata(await this.inference.describe(oipModelParams(params).name));
  }

  @Get('models/:name/versions/:version')
  @Scopes('models:read')
  @ApiOperation({ summary: 'Model version metadata' })
  @ApiOkResponse({ type: OipModelMetadataDto })
  @ApiParam({ name: 'name', type: String })
  @ApiParam({ name: 'version', type: String })
  @apply(errors(404))
  async versionMetadata(@Param() params: RouteParams): Promise<OipModelMetadataDto> {
    const { name, version } = oipModelParams(params);
    return toMetadata(await this.inference.describe(name, version));
  }

  @Get('models/:name/ready')
  @Scopes('models:read')
  @ApiOperation({ summary: 'Model readiness (loads the production version if needed)' })
  @ApiOkResponse({ type: OipReadyDto })
  @ApiParam({ name: 'name', type: String })
  @apply(errors(404, 503))
  async modelReady(@Param() params: RouteParams): Promise<OipReadyDto> {
    const { name } = oipModelParams(params);
    await this.inference.load(name);
    return { name, ready: true };
  }

  @Get('models/:name/versions/:version/ready')
  @Scopes('models:read')
  @ApiOperation({ summary: 'Model version readiness (loads it if needed)' })
  @ApiOkResponse({ type: OipReadyDto })
  @ApiParam({ name: 'name', type: String })
  @ApiParam({ name: 'version', type: String })
  @apply(errors(404, 503))
  async versionReady(@Param() params: RouteParams): Promise<OipReadyDto> {
    const { name, version } = oipModelParams(params);
    await this.inference.load(name, version);
    return { name, ready: true };
  }

  @Post('models/:name/infer')
  @HttpCode(200)
  @LargeBody()
  @LeanRoute()
  @Scopes('predict')
  @ApiOperation({ summary: 'Inference on the production version' })
  @ApiParam({ name: 'name', type: String })
  @ApiOkResponse({ type: OipInferResponseDto })
  @apply(errors(400, 404, 500, 503))
  @ApiJsonBody(OipInferRequestDto, {
    tabular: { id: 'req-1', inputs: [{ name: 'input', shape: [2, 2], datatype: 'FP32', data: [12, 2, 3, 1] }] },
  })
  infer(request: FastifyRequest): Promise<OipInferResponseDto> {
    return this.run(oipModelParams(request.params), request.body);
  }

  @Post('models/:name/versions/:version/infer')
  @HttpCode(200)
  @LargeBody()
  @LeanRoute()
  @Scopes('predict')
  @ApiOperation({ summary: 'Inference on a model version' })
  @ApiParam({ name: 'name', type: String })
  @ApiParam({ name: 'version', type: String })
  @ApiOkResponse({ type: OipInferResponseDto })
  @apply(errors(400, 404, 500, 503))
  @ApiJsonBody(OipInferRequestDto, {
    tabular: { id: 'req-1', inputs: [{ name: 'input', shape: [2, 2], datatype: 'FP32', data: [12, 2, 3, 1] }] },
  })
  inferVersion(request: FastifyRequest): Promise<OipInferResponseDto> {
    return this.run(oipModelParams(request.params), request.body);
  }

  @Post('repository/index')
  @HttpCode(200)
  @Scopes('models:read')
  @ApiOperation({ summary: 'Repository index: every version that holds an alias, and whether it is loaded' })
  @ApiOkResponse({ type: [OipRepositoryEntryDto] })
  @apply(errors(400))
  @ApiJsonBody(OipRepositoryIndexRequestDto, { loaded: { ready: true }, all: {} }, { required: false })
  async index(@Req() request: FastifyRequest): Promise<OipRepositoryEntryDto[]> {
    const body = (request.body ?? {}) as { ready?: unknown };
    if (body.ready !== undefined && typeof body.ready !== 'boolean')
      throw new InferenceError('INVALID_INPUT', '"ready" must be a boolean.');
    const entries = (await this.inference.listAliased()).map((v) => {
      const loaded = this.inference.isLoaded({ modelName: v.name, version: v.version } as ServableVersion);
      return {
        name: v.name,
        version: String(v.version),
        state: loaded ? 'READY' : 'UNAVAILABLE',
        reason: loaded ? '' : `not loaded (aliases: ${v.aliases.join(', ')})`,
      };
    });
    return body.ready === undefined ? entries : entries.filter((e) => (e.state === 'READY') === body.ready);
  }

  @Post('repository/models/:name/load')
  @HttpCode(200)
  @Scopes('models:write')
  @ApiOperation({ summary: 'Load the production version of a model' })
  @ApiOkResponse({ description: 'Loaded' })
  @ApiParam({ name: 'name', type: String })
  @apply(errors(404, 503))
  async loadModel(@Param() params: RouteParams): Promise<void> {
    await this.inference.load(oipModelParams(params).name);
  }

  @Post('repository/models/:name/unload')
  @HttpCode(200)
  @Scopes('models:write')
  @ApiOperation({ summary: 'Unload every loaded version of a model (it loads again on the next request)' })
  @ApiOkResponse({ description: 'Unloaded' })
  @ApiParam({ name: 'name', type: String })
  @apply(errors(404))
  async unloadModel(@Param() params: RouteParams): Promise<void> {
    const { name } = oipModelParams(params);
    await this.inference.describe(name);
    await this.inference.unload(name);
  }

  private async run(
    { name, version }: { name: string; version?: number },
    body: unknown,
  ): Promise<OipInferResponseDto> {
    const request = parseInferRequest(body);
    const { version: served, outputs } = await this.inference.infer(name, version, (engine) => {
      const { feeds, rows } = toFeeds(request, engine.version.inputs);
      return engine.runDirect(feeds, rows);
    });
    return {
      model_name: name,
      model_version: String(served.version),
      ...(request.id !== undefined ? { id: request.id } : {}),
      outputs: toResponseOutputs(
        outputs,
        request.outputs?.map((o) => o.name),
      ),
    };
  }
}

function toMetadata(v: ServableVersion): OipModelMetadataDto {
  const tensor = (t: { name: string; type: string; shape: number[] }) => ({
    name: t.name,
    datatype: oipDatatype(t.type),
    shape: t.shape,
  });
  return {
    name: v.modelName,
    versions: [String(v.version)],
    platform: 'onnxruntime_onnx',
    inputs: v.inputs.map(tensor),
    outputs: v.outputs.map(tensor),
  };
}
