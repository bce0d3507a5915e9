import { ApiProperty } from '@nestjs/swagger';

export const JOB_STATES = ['created', 'retry', 'active', 'completed', 'cancelled', 'failed'] as const;

export class JobResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'contributions.large-upload', description: 'The queue (kind of job)' }) queue: string;
  @ApiProperty({
    enum: JOB_STATES,
    description: 'retry: an attempt failed and another is scheduled; failed: every attempt failed (see `error`)',
  })
  state: string;
  @ApiProperty({ description: 'Attempts made after the first one' }) retryCount: number;
  @ApiProperty({ description: 'Attempts allowed after the first one' }) retryLimit: number;
  @ApiProperty({ description: 'Seconds before the first retry' }) retryDelaySeconds: number;
  @ApiProperty({ description: 'Whether the delay doubles (with jitter) at each retry' }) retryBackoff: boolean;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'Not run before this time' }) startAfter: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'invalid job payload: contributionId must be a UUID',
    description: 'The error of the last failed attempt (state retry or failed)',
  })
  error: string | null;
}
