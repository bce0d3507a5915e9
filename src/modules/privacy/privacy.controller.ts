import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Scopes } from 'src/platform/auth';
import { ApiJsonBody, ApiProblems, LargeBody } from 'src/platform/http';
import { DomainError } from 'src/platform/errors';
import { ScanRequestDto, ScanResponseDto } from './privacy.dto';
import { PrivacyService } from './privacy.service';

@ApiTags('privacy')
@Controller('api/v1/privacy')
export class PrivacyController {
  constructor(private readonly privacy: PrivacyService) {}

  @Post('scan')
  @HttpCode(200)
  @LargeBody()
  @Scopes('privacy:scan')
  @ApiOperation({
    summary: 'Scan a text or rows for personal data',
    description:
      'Finds EMAIL, PHONE, CREDIT_CARD (issuer prefix + Luhn), IBAN (country length + mod 97), US_SSN (format rules and context) and IP (v4 and v6). Spans cover the value only; for rows, offsets are within the cell. The values themselves are never echoed.',
  })
  @ApiOkResponse({ type: ScanResponseDto })
  @ApiProblems(400, 413, 429)
  @ApiJsonBody(ScanRequestDto, {
    text: { text: 'Call Ada at +44 20 7946 0958 or ada@example.com' },
    rows: { rows: [{ note: 'card 4111 1111 1111 1111', city: 'Leeds' }] },
  })
  scan(@Body() dto: ScanRequestDto): ScanResponseDto {
    if ((dto.text === undefined) === (dto.rows === undefined)) {
      throw new DomainError('VALIDATION_FAILED', 'invalid', 'Send either "text" or "rows".', {
        errors: [{ field: 'text', code: 'EXACTLY_ONE_OF', message: 'exactly one of text and rows is required' }],
      });
    }
    return { findings: dto.text !== undefined ? this.privacy.scanText(dto.text) : this.privacy.scanRows(dto.rows!) };
  }
}
