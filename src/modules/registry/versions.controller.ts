import { Body, Controller, Get, Headers, Param, Patch, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import {
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { rm } from 'node:fs/promises';
import { CurrentPrincipal, Principal, Scopes } from 'src/platform/auth';
import { AppConfig } from 'src/platform/config';
import { ApiJsonBody, ApiProblems, PageQueryDto, ProblemDto } from 'src/platform/http';
import { discardUpload, readUpload } from './artifact-upload';
import { ModelNameParamDto } from './models.dto';
import { toLineageDto, toVersionDto } from './registry.mappers';
import { RegistryService } from './registry.service';
import {
  LineageResponseDto,
  UpdateVersionDto,
  UploadVersionBodyDto,
  VersionPageDto,
  VersionParamDto,
  VersionResponseDto,
} from './versions.dto';
import { VersionsService } from './versions.service';

@ApiTags('models')
@ApiExtraModels(ProblemDto)
@Controller('api/v1/models/:name/versions')
export class VersionsController {
  constructor(
    private readonly versions: VersionsService,
    private readonly registry: RegistryService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @Scopes('models:write')
  @ApiOperation({
    summary: 'Upload a version (owner or admin)',
    description:
      '`multipart/form-data` with the .onnx artifact in the part `file` and JSON metadata (VersionMetadataDto) in the part `metadata`. The upload is streamed to storage; the model is opened with onnxruntime and its signature recorded before the version exists (READY). Versions are numbered 1, 2, ... with no gap. 400 ARTIFACT_EMPTY, 413 ARTIFACT_TOO_LARGE (MAX_ARTIFACT_MB), 422 INVALID_ONNX_MODEL or FEATURES_MISMATCH. Writes `model.version.created`.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiCreatedResponse({ type: VersionResponseDto })
  @ApiProblems(400, 404, 410, 413, 415, 422, 429)
  @ApiJsonBody(UploadVersionBodyDto, {
    tabular: {
      file: '(the .onnx file)',
      metadata: '{"features":[{"name":"tenure","type":"float"},{"name":"plan","type":"int"}]}',
    },
  })
  async upload(
    @CurrentPrincipal() p: Principal,
    @Param() params: ModelNameParamDto,
    @Req() request: FastifyRequest,
  ): Promise<VersionResponseDto> {
    try {
      await this.versions.assertCanUpload(p, params.name);
    } catch (err) {
      await discardUpload(request);
      throw err;
    }
    const upload = await readUpload(request, this.config.ARTIFACT_DIR, this.config.MAX_ARTIFACT_MB * 1024 * 1024);
    try {
      return toVersionDto(await this.versions.create(p, params.name, upload.file, upload.metadata));
    } finally {
      await rm(upload.file.path, { force: true });
    }
  }

  @Get()
  @Scopes('models:read')
  @ApiOperation({ summary: 'Versions of a model, newest first' })
  @ApiOkResponse({ type: VersionPageDto })
  @ApiProblems(400, 404, 429)
  async list(
    @CurrentPrincipal() p: Principal,
    @Param() params: ModelNameParamDto,
    @Query() query: PageQueryDto,
  ): Promise<VersionPageDto> {
    const page = await this.versions.list(p, params.name, query);
    return { items: page.items.map(toVersionDto), nextCursor: page.nextCursor };
  }

  @Get(':version')
  @Scopes('models:read')
  @ApiOperation({ summary: 'One version, with its signature, features, metrics and aliases' })
  @ApiOkResponse({ type: VersionResponseDto })
  @ApiProblems(400, 404, 429)
  async get(@CurrentPrincipal() p: Principal, @Param() params: VersionParamDto): Promise<VersionResponseDto> {
    return toVersionDto(await this.versions.get(p, params.name, params.version));
  }

  @Patch(':version')
  @Scopes('models:write')
  @ApiOperation({ summary: 'Change the description or tags of a version (owner or admin)' })
  @ApiOkResponse({ type: VersionResponseDto })
  @ApiProblems(400, 404, 410, 429)
  @ApiJsonBody(UpdateVersionDto, { describe: { description: 'Trained on the March data', tags: ['candidate'] } })
  async update(
    @CurrentPrincipal() p: Principal,
    @Param() params: VersionParamDto,
    @Body() dto: UpdateVersionDto,
  ): Promise<VersionResponseDto> {
    return toVersionDto(await this.versions.update(p, params.name, params.version, dto));
  }

  @Get(':version/artifact')
  @Scopes('models:read')
  @ApiOperation({ summary: 'Download the .onnx artifact (streamed; ETag is the sha256)' })
  @ApiProduces('application/octet-stream')
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'The ETag already held: 304 when unchanged' })
  @ApiOkResponse({ schema: { type: 'string', format: 'binary' }, description: 'The artifact' })
  @ApiResponse({ status: 304, description: 'Not modified (If-None-Match matched the ETag)' })
  @ApiProblems(400, 404, 429)
  async artifact(
    @CurrentPrincipal() p: Principal,
    @Param() params: VersionParamDto,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile | undefined> {
    const found = await this.versions.get(p, params.name, params.version);
    const etag = `"${found.version.sha256}"`;
    void reply.header('etag', etag);
    if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
      void reply.status(304);
      return undefined;
    }
    const { stream, sizeBytes } = await this.registry.openArtifact(params.name, params.version, p);
    return new StreamableFile(stream, {
      type: 'application/octet-stream',
      length: sizeBytes,
      disposition: `attachment; filename="${params.name}-v${params.version}.onnx"`,
    });
  }

  @Get(':version/lineage')
  @Scopes('models:read')
  @ApiOperation({
    summary: 'The chain of parent versions back to the first',
    description:
      'Each entry has its metrics, its benchmark metric value, the delta of the benchmark metric against its parent (positive when better, whatever the direction), its dataset hash and its contributions.',
  })
  @ApiOkResponse({ type: LineageResponseDto })
  @ApiProblems(400, 404, 429)
  async lineage(@CurrentPrincipal() p: Principal, @Param() params: VersionParamDto): Promise<LineageResponseDto> {
    const { model, chain } = await this.versions.lineage(p, params.name, params.version);
    return toLineageDto(model, chain);
  }
}
