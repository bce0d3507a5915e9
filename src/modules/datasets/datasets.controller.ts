import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiConsumes, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { rm } from 'node:fs/promises';
import { CurrentPrincipal, Principal, Scopes } from 'src/platform/auth';
import { AppConfig } from 'src/platform/config';
import { ApiJsonBody, ApiProblems, createValidationPipe, ProblemDto } from 'src/platform/http';
import { claimIdempotencyKey, Idempotent } from 'src/platform/idempotency';
import { drainParts, readDatasetUpload } from './dataset-upload';
import {
  DatasetListQueryDto,
  DatasetModelParamDto,
  DatasetPageDto,
  DatasetParamDto,
  DatasetResponseDto,
  SetBenchmarkDto,
  toDatasetDto,
  UploadDatasetBodyDto,
  UploadDatasetFieldsDto,
} from './datasets.dto';
import { DatasetsService } from './datasets.service';

const VALIDATION = createValidationPipe();

const ACCESS =
  "Read with `models:read` on a model the key may see; write with `models:write` as the model's owner or an admin. " +
  "Another owner's private model is 404; a public one is 403 NOT_MODEL_OWNER on writes.";

@ApiTags('datasets')
@ApiExtraModels(ProblemDto)
@Controller('api/v1/models/:name')
export class DatasetsController {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly config: AppConfig,
  ) {}

  @Post('datasets')
  @HttpCode(201)
  @Scopes('models:write')
  @Idempotent()
  @ApiOperation({
    summary: 'Upload a benchmark or training dataset',
    description:
      '`multipart/form-data`: the rows in the part `file` (.csv with a header row, or .jsonl; up to ' +
      'MAX_CONTRIBUTION_MB), the fields `kind` (benchmark | training) and `description`. Rows are typed and ' +
      'checked against the production version features plus the model label column with the contributions rules ' +
      '(CSV cells typed by the schema: an empty cell is null, a numeric cell must read as a number). One bad row ' +
      'refuses the whole dataset: 422 INVALID_ROWS with `rowErrors` [{row, column, code}]. The hash is sha256 over ' +
      'the sorted distinct row hashes, as a contribution of the same rows. The file is kept in the artifact ' +
      "storage by its sha256. The model's first benchmark becomes its active one. Errors: INVALID_FILE (400), " +
      'UPLOAD_TOO_LARGE (413), NO_FEATURE_SCHEMA, INVALID_ROWS, NO_ROWS (422). Idempotency-Key: the request is ' +
      `identified by the sha256 of the file and the form fields. ${ACCESS}`,
  })
  @ApiConsumes('multipart/form-data')
  @ApiJsonBody(UploadDatasetBodyDto, {
    benchmark: { file: '(the .csv or .jsonl file)', kind: 'benchmark', description: 'Held-out sample, Q3' },
  })
  @ApiCreatedResponse({ type: DatasetResponseDto })
  @ApiProblems(400, 403, 404, 413, 422, 429)
  async upload(
    @CurrentPrincipal() p: Principal,
    @Param() params: DatasetModelParamDto,
    @Req() request: FastifyRequest,
  ): Promise<DatasetResponseDto> {
    try {
      await this.datasets.assertCanUpload(p, params.name);
    } catch (err) {
      if (request.isMultipart()) await drainParts(request.parts());
      throw err;
    }
    const staged = await readDatasetUpload(request, this.config.MAX_CONTRIBUTION_MB * 1024 * 1024);
    try {
      await claimIdempotencyKey(request, { file: staged.sha256, fields: staged.fields });
      const fields = (await VALIDATION.transform(staged.fields, {
        type: 'body',
        metatype: UploadDatasetFieldsDto,
      })) as UploadDatasetFieldsDto;
      return toDatasetDto(await this.datasets.upload(p, params.name, staged, fields));
    } finally {
      await rm(staged.path, { force: true });
    }
  }

  @Get('datasets')
  @Scopes('models:read')
  @ApiOperation({ summary: "A model's datasets, newest first (cursor pagination)", description: ACCESS })
  @ApiOkResponse({ type: DatasetPageDto })
  @ApiProblems(400, 404, 429)
  async list(
    @CurrentPrincipal() p: Principal,
    @Param() params: DatasetModelParamDto,
    @Query() query: DatasetListQueryDto,
  ): Promise<DatasetPageDto> {
    const page = await this.datasets.list(p, params.name, query);
    return { items: page.items.map(toDatasetDto), nextCursor: page.nextCursor };
  }

  @Get('datasets/:id')
  @Scopes('models:read')
  @ApiOperation({ summary: 'One dataset of a model: kind, hash, rows, columns, whether it is the active benchmark' })
  @ApiOkResponse({ type: DatasetResponseDto })
  @ApiProblems(400, 404, 429)
  async get(@CurrentPrincipal() p: Principal, @Param() params: DatasetParamDto): Promise<DatasetResponseDto> {
    return toDatasetDto(await this.datasets.getOfModel(p, params.name, params.id));
  }

  @Put('benchmark')
  @Scopes('models:write')
  @ApiOperation({
    summary: "Make a benchmark dataset the model's active benchmark",
    description:
      'Evaluations default to the active benchmark; the one active before stays, inactive. 404 DATASET_NOT_FOUND ' +
      `(also for another model's dataset), 422 NOT_A_BENCHMARK for a training dataset. ${ACCESS}`,
  })
  @ApiJsonBody(SetBenchmarkDto, { benchmark: { datasetId: '0b4d3c5e-8f6a-4d2b-9c1e-7a5f3e2d1c0b' } })
  @ApiOkResponse({ type: DatasetResponseDto })
  @ApiProblems(400, 403, 404, 422, 429)
  async setBenchmark(
    @CurrentPrincipal() p: Principal,
    @Param() params: DatasetModelParamDto,
    @Body() dto: SetBenchmarkDto,
  ): Promise<DatasetResponseDto> {
    return toDatasetDto(await this.datasets.setBenchmark(p, params.name, dto.datasetId));
  }
}
