import { Body, Controller, HttpCode, Param, Post, Req, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { presentedKey, Public } from 'src/platform/auth';
import { ApiJsonBody, ApiProblems, ProblemDto } from 'src/platform/http';
import { WalletParamDto } from './contributions.dto';
import { ContributorExportDto, ContributorProofDto, ErasureSummaryDto } from './contributor-rights.dto';
import { ContributorRightsService } from './contributor-rights.service';

const ACCESS =
  'A contributor is a wallet, not an API key holder. @Public as far as the API-key guard goes, and deny by ' +
  'default here: the body carries {timestamp, signature}, an EIP-191 signature by the wallet of `DeltaOne data ' +
  '<action>\\nwallet: <EIP-55 address>\\ntimestamp: <timestamp>` within 10 minutes of the server clock (checked ' +
  'whenever any part of it is sent, whatever key comes with it); or, with no signature, an admin API key. ' +
  'Errors: INVALID_WALLET, SIGNATURE_INVALID (also a signature by another wallet), SIGNATURE_REQUIRED, validation ' +
  '(400); CONTRIBUTOR_PROOF_REQUIRED, API_KEY_INVALID (401); ADMIN_KEY_REQUIRED (403); SIGNATURE_STALE (422).';

@ApiTags('contributors')
@ApiExtraModels(ProblemDto)
@ApiBearerAuth('bearer')
@ApiSecurity('api-key')
@ApiSecurity({})
@Controller('api/v1/contributors')
export class ContributorRightsController {
  constructor(private readonly rights: ContributorRightsService) {}

  @Post(':walletAddress/export')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Export every contribution of a wallet, with its rows (signed by the wallet, or an admin key)',
    description: `${ACCESS} The document is streamed: contributions with status, counts, hashes, lifecycle times, training/reward markers, the registry versions trained on them, and their rows.`,
  })
  @ApiProduces('application/json')
  @ApiOkResponse({ type: ContributorExportDto })
  @ApiProblems(400, 401, 403, 422, 429)
  @ApiJsonBody(ContributorProofDto, {
    signed: { timestamp: '2026-11-24T09:00:00.000Z', signature: '0x' + 'ab'.repeat(65) },
    adminKey: {},
  })
  async export(
    @Param() params: WalletParamDto,
    @Body() proof: ContributorProofDto,
    @Req() request: FastifyRequest,
  ): Promise<StreamableFile> {
    const { wallet } = await this.rights.authorise(
      'export',
      params.walletAddress,
      proof ?? {},
      presentedKey(request.headers),
    );
    return new StreamableFile(Readable.from(this.rights.exportJson(wallet)), { type: 'application/json' });
  }

  @Post(':walletAddress/erase')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: "Erase the contents of a wallet's contributed rows for good (signed by the wallet, or an admin key)",
    description:
      `${ACCESS} Row contents, stored uploads not yet processed and contribution metadata are deleted in one ` +
      'transaction with `contributor.erased` (one per model concerned); row hashes, dataset hashes, counts, ' +
      'statuses, lifecycle and lineage stay, and the contributions show `erased: true`. A contribution not yet ' +
      'processed becomes rejected (ERASED). Repeating it changes nothing, publishes nothing and answers the same summary.',
  })
  @ApiOkResponse({ type: ErasureSummaryDto })
  @ApiProblems(400, 401, 403, 422, 429)
  @ApiJsonBody(ContributorProofDto, {
    signed: { timestamp: '2026-11-24T09:00:00.000Z', signature: '0x' + 'ab'.repeat(65) },
    adminKey: {},
  })
  async erase(
    @Param() params: WalletParamDto,
    @Body() proof: ContributorProofDto,
    @Req() request: FastifyRequest,
  ): Promise<ErasureSummaryDto> {
    const { wallet, authority } = await this.rights.authorise(
      'erasure',
      params.walletAddress,
      proof ?? {},
      presentedKey(request.headers),
    );
    return this.rights.erase(wallet, authority);
  }
}
