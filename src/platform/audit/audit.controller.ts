import { Controller, Get, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Scopes } from '../auth/decorators';
import type { Principal } from '../auth/scopes';
import { ApiProblems, ProblemDto } from '../http/problem.dto';
import { AuditPageDto, AuditRecordDto, AuditVerificationDto, ListAuditQueryDto } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiExtraModels(ProblemDto)
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Scopes('audit:read')
  @ApiOperation({
    summary: 'The audit log, newest first (an admin sees every record; others what they did or was done to theirs)',
  })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiProblems(400, 429)
  async list(@CurrentPrincipal() p: Principal, @Query() query: ListAuditQueryDto): Promise<AuditPageDto> {
    const page = await this.audit.list(p, query);
    return { items: page.items.map(AuditRecordDto.from), nextCursor: page.nextCursor };
  }

  @Get('verify')
  @Scopes('admin')
  @ApiOperation({ summary: "Recompute the audit log's hash chain and name the first broken record" })
  @ApiOkResponse({ type: AuditVerificationDto })
  @ApiProblems(429)
  verify(): Promise<AuditVerificationDto> {
    return this.audit.verify();
  }
}
