import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Scopes } from 'src/platform/auth';
import { ApiJsonBody, ApiProblems } from 'src/platform/http';
import {
  CreateExperimentDto,
  ExperimentIdParamDto,
  ExperimentListQueryDto,
  ExperimentPageDto,
  ExperimentResponseDto,
  ExperimentResultsDto,
  UpdateWeightsDto,
} from './experiments.dto';
import { toExperimentDto, toResultsDto } from './experiments.mapper';
import { ExperimentsService } from './experiments.service';

const CREATE_EXAMPLE = {
  name: 'churn v4 vs v3',
  model: 'churn',
  variants: [
    { name: 'control', alias: 'production', weight: 50 },
    { name: 'treatment', version: 4, weight: 50 },
  ],
  shadow: { version: 5, percent: 10 },
  unitHeader: 'X-User-Id',
  primaryMetric: { name: 'conversion', kind: 'proportion', direction: 'increase' },
  minimumDetectableEffect: 0.02,
  guardrails: [
    { metric: 'error_rate', max: 0.02 },
    { metric: 'latency_p95_ms', max: 50 },
  ],
  minSamplesPerVariant: 1000,
  alpha: 0.05,
  autoPromote: false,
};

@ApiTags('experiments')
@Controller('api/v1/experiments')
export class ExperimentsController {
  constructor(private readonly experiments: ExperimentsService) {}

  @Post()
  @Scopes('experiments:write')
  @ApiOperation({
    summary: 'Create an A/B experiment on a model (owner or admin), as a draft',
    description:
      'The first variant is the control. A variant names a version or an alias (read again when the experiment starts, then fixed). Weights are relative. Units (the `unitHeader` value, default `X-User-Id`) are hashed into 10,000 buckets; each variant owns buckets in proportion to its weight.',
  })
  @ApiCreatedResponse({ type: ExperimentResponseDto })
  @ApiProblems(400, 403, 404, 410, 429)
  @ApiJsonBody(CreateExperimentDto, { twoVariants: CREATE_EXAMPLE })
  async create(@CurrentPrincipal() p: Principal, @Body() body: CreateExperimentDto): Promise<ExperimentResponseDto> {
    return toExperimentDto(await this.experiments.create(p, body));
  }

  @Get()
  @Scopes('experiments:read')
  @ApiOperation({ summary: "Experiments of the caller's owner (every owner's for an admin), newest first" })
  @ApiOkResponse({ type: ExperimentPageDto })
  @ApiProblems(400, 429)
  async list(@CurrentPrincipal() p: Principal, @Query() query: ExperimentListQueryDto): Promise<ExperimentPageDto> {
    const page = await this.experiments.list(p, query);
    return { items: page.items.map(toExperimentDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Scopes('experiments:read')
  @ApiOperation({ summary: 'One experiment' })
  @ApiOkResponse({ type: ExperimentResponseDto })
  @ApiProblems(400, 404, 429)
  async get(@CurrentPrincipal() p: Principal, @Param() params: ExperimentIdParamDto): Promise<ExperimentResponseDto> {
    return toExperimentDto(await this.experiments.get(p, params.id));
  }

  @Get(':id/results')
  @Scopes('experiments:read')
  @ApiOperation({
    summary: 'Results now, per variant, and the decision',
    description:
      'Per variant: units, predictions, outcomes, the metric with its interval, latency p50/p95/p99 (over its share of the latest 20,000 predictions of the experiment), errors, lift over the control with its interval, and a sample-ratio check (chi-square of units against the weights; a mismatch below p = 0.001 blocks promotion). The decision (`continue`, `winner`, `loser`, `inconclusive`, with reasons) rests on always-valid inference (mSPRT, mixing variance from `minimumDetectableEffect`), so it may be read at any time; the fixed-horizon p-value beside it is valid only at the planned sample size.',
  })
  @ApiOkResponse({ type: ExperimentResultsDto })
  @ApiProblems(400, 404, 429)
  async results(
    @CurrentPrincipal() p: Principal,
    @Param() params: ExperimentIdParamDto,
  ): Promise<ExperimentResultsDto> {
    return toResultsDto(await this.experiments.results(p, params.id));
  }

  @Patch(':id')
  @Scopes('experiments:write')
  @ApiOperation({
    summary: 'Change variant weights (also while running)',
    description:
      'Only the buckets that must change hands move: a variant that shrinks gives up buckets from the end of its ranges, one that grows takes them, so 50/50 → 60/40 moves 10% of the units.',
  })
  @ApiOkResponse({ type: ExperimentResponseDto })
  @ApiProblems(400, 404, 409, 429)
  @ApiJsonBody(UpdateWeightsDto, {
    sixtyForty: {
      variants: [
        { name: 'control', weight: 60 },
        { name: 'treatment', weight: 40 },
      ],
    },
  })
  async reweight(
    @CurrentPrincipal() p: Principal,
    @Param() params: ExperimentIdParamDto,
    @Body() body: UpdateWeightsDto,
  ): Promise<ExperimentResponseDto> {
    return toExperimentDto(await this.experiments.reweight(p, params.id, body));
  }

  @Post(':id/start')
  @HttpCode(200)
  @Scopes('experiments:write')
  @ApiOperation({
    summary: "Start routing the model's traffic (draft → running)",
    description: 'At most one experiment per model runs at a time: 409 EXPERIMENT_ALREADY_RUNNING otherwise.',
  })
  @ApiOkResponse({ type: ExperimentResponseDto })
  @ApiProblems(400, 404, 409, 429)
  async start(@CurrentPrincipal() p: Principal, @Param() params: ExperimentIdParamDto): Promise<ExperimentResponseDto> {
    return toExperimentDto(await this.experiments.transition(p, params.id, 'start'));
  }

  @Post(':id/pause')
  @HttpCode(200)
  @Scopes('experiments:write')
  @ApiOperation({ summary: 'Pause (running → paused): traffic goes to production meanwhile' })
  @ApiOkResponse({ type: ExperimentResponseDto })
  @ApiProblems(400, 404, 409, 429)
  async pause(@CurrentPrincipal() p: Principal, @Param() params: ExperimentIdParamDto): Promise<ExperimentResponseDto> {
    return toExperimentDto(await this.experiments.transition(p, params.id, 'pause'));
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Scopes('experiments:write')
  @ApiOperation({ summary: 'Resume (paused → running); units keep their variants' })
  @ApiOkResponse({ type: ExperimentResponseDto })
  @ApiProblems(400, 404, 409, 429)
  async resume(
    @CurrentPrincipal() p: Principal,
    @Param() params: ExperimentIdParamDto,
  ): Promise<ExperimentResponseDto> {
    return toExperimentDto(await this.experiments.transition(p, params.id, 'resume'));
  }

  @Post(':id/stop')
  @HttpCode(200)
  @Scopes('experiments:write')
  @ApiOperation({ summary: 'Stop: a running or paused experiment completes, a draft is cancelled' })
  @ApiOkResponse({ type: ExperimentResponseDto })
  @ApiProblems(400, 404, 409, 429)
  async stop(@CurrentPrincipal() p: Principal, @Param() params: ExperimentIdParamDto): Promise<ExperimentResponseDto> {
    return toExperimentDto(await this.experiments.transition(p, params.id, 'stop'));
  }
}
