import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Scopes } from 'src/platform/auth';
import { ApiJsonBody, ApiProblems, PageQueryDto, ProblemDto, UuidParamDto } from 'src/platform/http';
import { DeltaOneSettingsService } from './deltaone-settings.service';
import {
  DecisionPageDto,
  DeltaOneSettingsDto,
  DeltaOneSettingsResponseDto,
  EvaluationAcceptedDto,
  EvaluationResponseDto,
  ModelParamDto,
  StartEvaluationDto,
  toEvaluationDto,
  toSettingsDto,
} from './deltaone.dto';
import { EvaluationsService } from './evaluations.service';

const READ =
  'Read with `models:read` or `rewards:read` on a model the key may see (another owner private model is 404).';

@ApiTags('deltaone')
@ApiExtraModels(ProblemDto)
@Controller('api/v1')
export class DeltaOneController {
  constructor(
    private readonly evaluations: EvaluationsService,
    private readonly settings: DeltaOneSettingsService,
  ) {}

  @Post('models/:name/evaluations')
  @HttpCode(202)
  @Scopes('models:write')
  @ApiOperation({
    summary: 'Evaluate a candidate version against a baseline on a benchmark',
    description:
      'Starts a durable job that runs both ONNX versions over every benchmark row inside the server, computes the ' +
      "model's metric from the per-row outcomes, the paired significance test, and the DeltaOne decision (gates " +
      'in order: INSUFFICIENT_SAMPLES, COOLDOWN_ACTIVE, BENCHMARK_LEAKAGE, DELTA_BELOW_THRESHOLD, NOT_SIGNIFICANT, ' +
      'ACCEPTED). Defaults: baseline = the production version, benchmark = the active one. Poll `statusUrl`. ' +
      "For the model's owner or an admin. Errors: NO_BASELINE, NO_BENCHMARK, SAME_VERSION, NO_LABEL_KIND, " +
      'BENCHMARK_OF_ANOTHER_MODEL (422), VERSION_NOT_FOUND, DATASET_NOT_FOUND (404).',
  })
  @ApiJsonBody(StartEvaluationDto, {
    againstProduction: { candidateVersion: 3 },
    explicit: { candidateVersion: 3, baselineVersion: 2, benchmarkId: '0b4d3c5e-8f6a-4d2b-9c1e-7a5f3e2d1c0b' },
  })
  @ApiAcceptedResponse({ type: EvaluationAcceptedDto })
  @ApiProblems(400, 403, 404, 422, 429)
  async start(
    @CurrentPrincipal() p: Principal,
    @Param() params: ModelParamDto,
    @Body() body: StartEvaluationDto,
  ): Promise<EvaluationAcceptedDto> {
    const e = await this.evaluations.start(p, params.name, body);
    return { id: e.id, status: e.status, statusUrl: `/api/v1/evaluations/${e.id}`, jobId: e.jobId! };
  }

  @Get('evaluations/:id')
  @Scopes()
  @ApiOperation({
    summary: 'An evaluation: status, both computed metrics, n, the decision, its reason and the statistics',
    description: `The versions' declared metrics are shown apart (\`declaredMetrics\`); the decision uses only the computed ones. ${READ}`,
  })
  @ApiOkResponse({ type: EvaluationResponseDto })
  @ApiProblems(400, 403, 404, 429)
  async get(@CurrentPrincipal() p: Principal, @Param() params: UuidParamDto): Promise<EvaluationResponseDto> {
    const view = await this.evaluations.get(p, params.id);
    return toEvaluationDto(view.evaluation, view.declared);
  }

  @Get('models/:name/deltaone')
  @Scopes()
  @ApiOperation({ summary: "The model's DeltaOne decisions, newest first", description: READ })
  @ApiOkResponse({ type: DecisionPageDto })
  @ApiProblems(400, 403, 404, 429)
  async decisions(
    @CurrentPrincipal() p: Principal,
    @Param() params: ModelParamDto,
    @Query() query: PageQueryDto,
  ): Promise<DecisionPageDto> {
    const page = await this.evaluations.decisions(p, params.name, query);
    return { items: page.items.map((e) => toEvaluationDto(e)), nextCursor: page.nextCursor };
  }

  @Get('models/:name/deltaone-settings')
  @Scopes('models:read')
  @ApiOperation({ summary: "The model's DeltaOne settings (defaults when never set)" })
  @ApiOkResponse({ type: DeltaOneSettingsResponseDto })
  @ApiProblems(400, 404, 429)
  async getSettings(
    @CurrentPrincipal() p: Principal,
    @Param() params: ModelParamDto,
  ): Promise<DeltaOneSettingsResponseDto> {
    return toSettingsDto(await this.settings.get(p, params.name));
  }

  @Put('models/:name/deltaone-settings')
  @Scopes('models:write')
  @ApiOperation({
    summary: "Change the model's DeltaOne settings",
    description:
      'Fields left out keep their value. Later evaluations use the new settings (an evaluation keeps those in ' +
      "force when it was asked for). For the model's owner or an admin; audited.",
  })
  @ApiJsonBody(DeltaOneSettingsDto, {
    stricter: { minExamples: 2000, thresholdBps: 150, alpha: 0.01 },
    noCooldown: { cooldownSeconds: 0 },
  })
  @ApiOkResponse({ type: DeltaOneSettingsResponseDto })
  @ApiProblems(400, 403, 404, 429)
  async putSettings(
    @CurrentPrincipal() p: Principal,
    @Param() params: ModelParamDto,
    @Body() body: DeltaOneSettingsDto,
  ): Promise<DeltaOneSettingsResponseDto> {
    return toSettingsDto(await this.settings.put(p, params.name, body));
  }
}
