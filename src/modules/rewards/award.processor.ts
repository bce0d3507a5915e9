import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsObject, IsString, IsUUID, Matches, ValidateNested } from 'class-validator';
import { REWARDS_AWARD_QUEUE } from 'src/modules/deltaone';
import type { AcceptedDeltaOne } from 'src/modules/deltaone';
import { JobContext, JobProcessor, Processor } from 'src/platform/queue';
import { AwardService } from './award.service';

class VersionRefDto {
  @IsUUID()
  versionId: string;
  @IsInt()
  version: number;
  @Matches(/^[0-9a-f]{64}$/)
  sha256: string;
  @IsInt()
  metricBps: number;
}

class BenchmarkRefDto {
  @IsString()
  datasetId: string;
  @IsString()
  hash: string;
}

/** The data of a `rewards.award` job (AcceptedDeltaOne, from src/modules/deltaone). */
export class AcceptedDeltaOneDto implements AcceptedDeltaOne {
  @IsUUID()
  evaluationId: string;
  @IsUUID()
  modelId: string;
  @IsString()
  modelName: string;
  @IsString()
  tokenId: string;
  @IsString()
  metric: string;
  @IsIn(['higher', 'lower'])
  direction: 'higher' | 'lower';
  @ValidateNested()
  @Type(() => BenchmarkRefDto)
  benchmark: BenchmarkRefDto;
  @ValidateNested()
  @Type(() => VersionRefDto)
  baseline: VersionRefDto;
  @ValidateNested()
  @Type(() => VersionRefDto)
  candidate: VersionRefDto;
  @IsInt()
  deltaBps: number;
  @IsInt()
  n: number;
  @IsObject()
  statistics: Record<string, unknown>;
  @IsISO8601()
  decidedAt: string;
}

/** An accepted DeltaOne becomes its reward, attestation and mint job (AwardService); safe to rerun. */
@Processor(REWARDS_AWARD_QUEUE, { payload: AcceptedDeltaOneDto, retryLimit: 10, retryDelaySeconds: 10 })
export class AwardProcessor extends JobProcessor<AcceptedDeltaOneDto> {
  constructor(private readonly awards: AwardService) {
    super();
  }

  async process(job: JobContext<AcceptedDeltaOneDto>): Promise<void> {
    await this.awards.award(job.data);
  }
}
