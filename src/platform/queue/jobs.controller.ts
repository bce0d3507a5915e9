import { Controller, Get, Param } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import PgBoss from 'pg-boss';
import { CurrentPrincipal, Principal, Scopes } from '../auth';
import { ApiProblems, ProblemDto, UuidParamDto } from '../http';
import { JobResponseDto } from './jobs.dto';
import { JobsService } from './jobs.service';

@ApiTags('jobs')
@ApiExtraModels(ProblemDto)
@Controller('api/v1/jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get(':id')
  @Scopes()
  @ApiOperation({
    summary: 'Get a durable job',
    description:
      'The state of a background job (a large contribution upload has the id of its contribution), with the ' +
      'error of its last failed attempt. Any valid key may ask; an admin sees every job, another key only the jobs ' +
      'of resources its owner owns (for a large upload: the contribution it submitted). Others, and unknown ids, ' +
      'get 404 JOB_NOT_FOUND.',
  })
  @ApiOkResponse({ type: JobResponseDto })
  @ApiProblems(400, 404)
  async get(@CurrentPrincipal() principal: Principal, @Param() { id }: UuidParamDto): Promise<JobResponseDto> {
    return toJobDto(await this.jobs.get(principal, id));
  }
}

function toJobDto(job: PgBoss.JobWithMetadata): JobResponseDto {
  const failedAttempt = job.state === 'failed' || job.state === 'retry';
  const output = job.output as { message?: unknown } | null;
  return {
    id: job.id,
    queue: job.name,
    state: job.state,
    retryCount: job.retryCount,
    retryLimit: job.retryLimit,
    retryDelaySeconds: job.retryDelay,
    retryBackoff: job.retryBackoff,
    createdAt: job.createdOn.toISOString(),
    startAfter: job.startAfter.toISOString(),
    startedAt: job.startedOn?.toISOString() ?? null,
    completedAt: job.completedOn?.toISOString() ?? null,
    error: failedAttempt && typeof output?.message === 'string' ? output.message : null,
  };
}
