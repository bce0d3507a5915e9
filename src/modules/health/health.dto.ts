import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class LiveResponseDto {
  @ApiProperty({ example: 'ok' }) status: 'ok';
}

export class ComponentHealthDto {
  @ApiProperty({ enum: ['up', 'down', 'disabled'] }) status: string;
  @ApiPropertyOptional() latencyMs?: number;
  @ApiPropertyOptional() detail?: string;
}

export class HealthResponseDto {
  @ApiProperty({ enum: ['ok', 'error'] }) status: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/ComponentHealthDto' },
    description: 'api, database, migrations, redis, jobs, ...',
  })
  components: Record<string, ComponentHealthDto>;
  @ApiProperty({ example: '0.1.0' }) version: string;
  @ApiProperty({ description: 'Seconds since the process started' }) uptime: number;
}
