import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Scopes } from 'src/platform/auth';
import { ApiJsonBody, ApiProblems, PageQueryDto, ProblemDto } from 'src/platform/http';
import { streamRunEvents } from './training-events.stream';
import { TrainingPolicyService } from './training-policy.service';
import { TrainingRunsService } from './training-runs.service';
import {
  StartTrainingDto,
  toPolicyDto,
  toTrainingRunDto,
  TrainingModelParamDto,
  TrainingPolicyDto,
  TrainingPolicyResponseDto,
  TrainingRunAcceptedDto,
  TrainingRunDto,
  TrainingRunPageDto,
  TrainingRunParamDto,
} from './training.dto';

const ACCESS =
  "Read with `models:read` on a model the key may see; start, cancel and set policies with `training:write` as the model's " +
  "owner or an admin. Another owner's private model is 404.";

@ApiTags('training')
@ApiExtraModels(ProblemDto)
@Controller('api/v1')
export class TrainingController {
  constructor(
    private readonly runs: TrainingRunsService,
    private readonly policies: TrainingPolicyService,
  ) {}

  @Post('models/:name/training-runs')
  @HttpCode(202)
  @Scopes('training:write')
  @ApiOperation({
    summary: 'Start a training run (a durable job)',
    description:
      "Trains on the model's latest `kind=training` dataset plus the credited rows of accepted contributions (default: " +
      'all not yet used); rows whose hash is in the active benchmark are dropped and counted. Features are the base ' +
      "version's, the label the model's labelColumn. Everything is checked before a run exists: 400 " +
      'UNKNOWN_TRAINER_FAMILY, INVALID_HYPERPARAMETERS, validation errors; 422 NO_FEATURE_SCHEMA, NO_LABEL_COLUMN, ' +
      'NO_TRAINING_ROWS, SINGLE_CLASS_LABEL, CONTRIBUTION_NOT_USABLE, INVALID_TRAINING_DATA; each names its field. ' +
      '409 TRAINING_RUN_ACTIVE when the model already has a queued or running run. When registered, the model becomes ' +
      'the next version (lineage: parent, dataset hash, contributions), its contributions move to ' +
      'included_in_training and an evaluation against production on the active benchmark is queued (DeltaOne). ' +
      ACCESS,
  })
  @ApiJsonBody(StartTrainingDto, {
    defaults: {},
    explicit: {
      baseVersion: 1,
      family: 'logistic_regression',
      hyperparameters: { l2: 0.001, maxIterations: 300 },
      seed: 42,
    },
  })
  @ApiAcceptedResponse({ type: TrainingRunAcceptedDto, description: 'The queued run; poll statusUrl' })
  @ApiProblems(400, 403, 404, 409, 422, 429)
  async start(
    @CurrentPrincipal() p: Principal,
    @Param() params: TrainingModelParamDto,
    @Body() dto: StartTrainingDto,
  ): Promise<TrainingRunAcceptedDto> {
    const run = await this.runs.start(p, params.name, dto);
    return { ...toTrainingRunDto(run), statusUrl: `/api/v1/training-runs/${run.id}` };
  }

  @Get('models/:name/training-runs')
  @Scopes('models:read')
  @ApiOperation({ summary: "A model's training runs, newest first (cursor pagination)", description: ACCESS })
  @ApiOkResponse({ type: TrainingRunPageDto })
  @ApiProblems(400, 404, 429)
  async list(
    @CurrentPrincipal() p: Principal,
    @Param() params: TrainingModelParamDto,
    @Query() query: PageQueryDto,
  ): Promise<TrainingRunPageDto> {
    const page = await this.runs.list(p, params.name, query);
    return { items: page.items.map(toTrainingRunDto), nextCursor: page.nextCursor };
  }

  @Get('training-runs/:id')
  @Scopes('models:read')
  @ApiOperation({
    summary: 'A training run: status, progress, metrics, the data used and the version it registered',
    description: `status: queued → running → registered | failed | cancelled. ${ACCESS}`,
  })
  @ApiOkResponse({ type: TrainingRunDto })
  @ApiProblems(400, 404, 429)
  async get(@CurrentPrincipal() p: Principal, @Param() params: TrainingRunParamDto): Promise<TrainingRunDto> {
    return toTrainingRunDto(await this.runs.get(p, params.id));
  }

  @Post('training-runs/:id/cancel')
  @HttpCode(200)
  @Scopes('training:write')
  @ApiOperation({
    summary: 'Cancel a training run',
    description:
      'A queued run is cancelled at once. A running one is flagged (`cancelRequested`): the process running its job, ' +
      'on whichever replica, polls the flag every 250 ms and stops the worker thread, so the run is `cancelled` ' +
      'within a second. 409 TRAINING_RUN_FINISHED when it already ended. ' +
      ACCESS,
  })
  @ApiOkResponse({ type: TrainingRunDto })
  @ApiProblems(400, 403, 404, 409, 429)
  async cancel(@CurrentPrincipal() p: Principal, @Param() params: TrainingRunParamDto): Promise<TrainingRunDto> {
    return toTrainingRunDto(await this.runs.cancel(p, params.id));
  }

  @Get('training-runs/:id/events')
  @Scopes('models:read')
  @ApiOperation({
    summary: "A training run's progress as Server-Sent Events",
    description:
      '`text/event-stream` (`curl -N` follows it): `event: status` when the status changes, `event: progress` ' +
      '`{iteration, loss, elapsedMs}` as the trainer reports it (stored at most twice a second, so any replica ' +
      'serves the stream from the database), and last `event: end` with the whole run in its final state; then the ' +
      `stream closes. ${ACCESS}`,
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'The event stream',
    content: {
      'text/event-stream': { schema: { type: 'string' }, example: 'event: progress\ndata: {"iteration":3}\n\n' },
    },
  })
  @ApiProblems(400, 404, 429)
  async events(
    @CurrentPrincipal() p: Principal,
    @Param() params: TrainingRunParamDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.runs.get(p, params.id);
    await streamRunEvents(this.runs, params.id, request, reply);
  }

  @Get('models/:name/training-policy')
  @Scopes('models:read')
  @ApiOperation({ summary: "The model's retraining policy (disabled until set)", description: ACCESS })
  @ApiOkResponse({ type: TrainingPolicyResponseDto })
  @ApiProblems(400, 404, 429)
  async getPolicy(
    @CurrentPrincipal() p: Principal,
    @Param() params: TrainingModelParamDto,
  ): Promise<TrainingPolicyResponseDto> {
    return toPolicyDto(await this.policies.get(p, params.name));
  }

  @Put('models/:name/training-policy')
  @Scopes('training:write')
  @ApiOperation({
    summary: "Set the model's retraining policy",
    description:
      'Once a minute one replica checks every enabled policy: when `minIntervalMinutes` have passed since the run it ' +
      'last started, it starts a run (default inputs) if at least `minNewRows` credited rows of accepted ' +
      "contributions are not yet trained on, or production's metric measured on the benchmark (its newest " +
      'evaluation) is below `onlyWhenMetricBelow`. One run per model at a time. ' +
      ACCESS,
  })
  @ApiJsonBody(TrainingPolicyDto, {
    rows: { enabled: true, minNewRows: 500, minIntervalMinutes: 60 },
    degradation: { enabled: true, minNewRows: 100, minIntervalMinutes: 30, onlyWhenMetricBelow: 0.85 },
  })
  @ApiOkResponse({ type: TrainingPolicyResponseDto })
  @ApiProblems(400, 403, 404, 429)
  async putPolicy(
    @CurrentPrincipal() p: Principal,
    @Param() params: TrainingModelParamDto,
    @Body() dto: TrainingPolicyDto,
  ): Promise<TrainingPolicyResponseDto> {
    return toPolicyDto(await this.policies.put(p, params.name, dto));
  }
}
