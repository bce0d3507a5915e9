import { Controller, Get, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { Public } from 'src/platform/auth';
import { ComponentHealthDto, HealthResponseDto, LiveResponseDto } from './health.dto';
import { HealthService } from './health.service';

@ApiTags('health')
@ApiExtraModels(ComponentHealthDto)
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ type: LiveResponseDto })
  live(): LiveResponseDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: database reachable, migrations applied, Redis reachable when configured' })
  @ApiOkResponse({ type: HealthResponseDto })
  @ApiServiceUnavailableResponse({ type: HealthResponseDto, description: 'A component is down' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthResponseDto> {
    const report = await this.health.report();
    if (report.status !== 'ok') void reply.status(503);
    return report;
  }

  @Get()
  @ApiOperation({ summary: 'Detailed health of every component (always 200; see `status`)' })
  @ApiOkResponse({ type: HealthResponseDto })
  detailed(): Promise<HealthResponseDto> {
    return this.health.report();
  }
}
