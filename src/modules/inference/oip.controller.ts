import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { CurrentPrincipal, Principal, Public, Scopes } from 'src/platform/auth';
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
  OipUnloadResponseDto,
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
  async metadata(@Param() params: RouteParams, @CurrentPrincipal() p: Principal): Promise<OipModelMetadataDto> {
    return toMetadata(await this.inference.describe(p, oipModelParams(params).name));
  }

  @Get('models/:name/versions/:version')
  @Scopes('models:read')
  @ApiOperation({ summary: 'Model version metadata' })
  @ApiOkResponse({ type: OipModelMetadataDto })
  @ApiParam({ name: 'name', type: String })
  @ApiParam({ name: 'version', type: String })
  @apply(errors(404))
  async versionMetadata(@Param() params: RouteParams, @CurrentPrincipal() p: Principal): Promise<OipModelMetadataDto> {
    const { name, version } = oipModelParams(params);
    return toMetadata(await this.inference.describe(p, name, version));
  }

  @Get('models/:name/ready')
  @Scopes('models:read')
  @ApiOperation({
    summary: 'Model readiness (loads the production version if needed)',
    description: 'After an unload, 503 until the model is loaded again (by load, or by a request on demand).',
  })
  @ApiOkResponse({ type: OipReadyDto })
  @ApiParam({ name: 'name', type: String })
  @apply(errors(404, 503))
  async modelReady(@Param() params: RouteParams, @CurrentPrincipal() p: Principal): Promise<OipReadyDto> {
    const { name } = oipModelParams(params);
    await this.inference.ready(p, name);
    return { name, ready: true };
  }

  @Get('models/:name/versions/:version/ready')
  @Scopes('models:read')
  @ApiOperation({
    summary: 'Model version readiness (loads it if needed)',
    description: 'After an unload, 503 until the version is loaded again (by load, or by a request on demand).',
  })
  @ApiOkResponse({ type: OipReadyDto })
  @ApiParam({ name: 'name', type: String })
  @ApiParam({ name: 'version', type: String })
  @apply(errors(404, 503))
  async versionReady(@Param() params: RouteParams, @CurrentPrincipal() p: Principal): Promise<OipReadyDto> {
    const { name, version } = oipModelParams(params);
    await this.inference.ready(p, name, version);
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
  infer(request: FastifyRequest, reply: FastifyReply): Promise<OipInferResponseDto> {
    return this.run(request.principal!, oipModelParams(request.params), request, reply);
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
  inferVersion(request: FastifyRequest, reply: FastifyReply): Promise<OipInferResponseDto> {
    return this.run(request.principal!, oipModelParams(request.params), request, reply);
  }

  @Post('repository/index')
  @HttpCode(200)
  @Scopes('models:read')
  @ApiOperation({
    summary: 'Repository index: every version that holds an alias, and whether it is loaded',
    description: "Another owner's private models are not listed.",
  })
  @ApiOkResponse({ type: [OipRepositoryEntryDto] })
  @apply(errors(400))
  @ApiJsonBody(OipRepositoryIndexRequestDto, { loaded: { ready: true }, all: {} }, { required: false })
  async index(@Req() request: FastifyRequest, @CurrentPrincipal() p: Principal): Promise<OipRepositoryEntryDto[]> {
    const body = (request.body ?? {}) as { ready?: unknown };
    if (body.ready !== undefined && typeof body.ready !== 'boolean')
      throw new InferenceError('INVALID_INPUT', '"ready" must be a boolean.');
    const entries = (await this.inference.listAliased(p)).map((v) => {
      const loaded = this.inference.isLoaded({ modelName: v.name, version: v.version });
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
  @ApiOperation({
    summary: 'Load the production version of a model',
    description:
      "The model's owner or an admin only: another owner gets 403 for a public model, 404 for a private one.",
  })
  @ApiOkResponse({ description: 'Loaded' })
  @ApiParam({ name: 'name', type: String })
  @apply(errors(403, 404, 503))
  async loadModel(@Param() params: RouteParams, @CurrentPrincipal() p: Principal): Promise<void> {
    await this.inference.load(p, oipModelParams(params).name);
  }

  @Post('repository/models/:name/unload')
  @HttpCode(200)
  @Scopes('models:write')
  @ApiOperation({
    summary: 'Unload every loaded version of a model from this server',
    description:
      "The model's owner or an admin only (another owner: 403 for a public model, 404 for a private one). The model's ready answers 503 until it is loaded again; a predict or infer request loads it again on demand, so a production model keeps serving, as the answer's reloadsOnDemand says.",
  })
  @ApiOkResponse({ type: OipUnloadResponseDto })
  @ApiParam({ name: 'name', type: String })
  @apply(errors(403, 404))
  async unloadModel(@Param() params: RouteParams, @CurrentPrincipal() p: Principal): Promise<OipUnloadResponseDto> {
    const { name } = oipModelParams(params);
    const unloaded = await this.inference.unload(p, name);
    return { name, ...unloaded };
  }

  private async run(
    principal: Principal,
    { name, version }: { name: string; version?: number },
    http: FastifyRequest,
    reply: FastifyReply,
  ): Promise<OipInferResponseDto> {
    const request = parseInferRequest(http.body);
    const {
      version: served,
      outputs,
      experiment,
    } = await this.inference.infer(
      principal,
      name,
      version,
      (engine) => {
        const { feeds, rows } = toFeeds(request, engine.version.inputs);
        return engine.runDirect(feeds, rows);
      },
      (h) => http.headers[h],
      http.id,
    );
    if (experiment) void reply.header('x-variant', experiment.variant);
    return {
      model_name: name,
      model_version: String(served.version),
      ...(request.id !== undefined ? { id: request.id } : {}),
      ...(experiment
        ? {
            parameters: {
              experiment_id: experiment.id,
              experiment: experiment.name,
              variant: experiment.variant,
              variant_version: experiment.version,
              assignment: experiment.assignment,
            },
          }
        : {}),
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
