import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Scopes } from 'src/platform/auth';
import { ApiJsonBody, ApiProblems, PageQueryDto, ProblemDto, UuidParamDto } from 'src/platform/http';
import { RewardSettingsService } from './reward-settings.service';
import {
  AttestationResponseDto,
  ContributorRewardsDto,
  ModelNameParamDto,
  RewardPageDto,
  RewardResponseDto,
  RewardSettingsResponseDto,
  UpdateRewardSettingsDto,
  WalletParamDto,
} from './rewards.dto';
import { toRewardDto } from './rewards.mapper';
import { RewardsService } from './rewards.service';

const AMOUNTS = 'Amounts are decimal strings: settings in tokens, rewards in smallest units (18 decimals).';

@ApiTags('rewards')
@ApiExtraModels(ProblemDto)
@Controller('api/v1')
export class RewardsController {
  constructor(
    private readonly rewards: RewardsService,
    private readonly settings: RewardSettingsService,
  ) {}

  @Get('models/:name/reward-settings')
  @Scopes('models:read')
  @ApiOperation({
    summary: "A model's reward settings, what was awarded and what is left of the budget",
    description: AMOUNTS,
  })
  @ApiOkResponse({ type: RewardSettingsResponseDto })
  @ApiProblems(400, 404, 429)
  getSettings(
    @CurrentPrincipal() p: Principal,
    @Param() params: ModelNameParamDto,
  ): Promise<RewardSettingsResponseDto> {
    return this.settings.get(p, params.name);
  }

  @Put('models/:name/reward-settings')
  @Scopes('models:write')
  @ApiOperation({
    summary: "Change a model's reward settings",
    description:
      'Model owner or admin only; audit-logged. reward = min(Δbps × tokensPerDeltaOne / 100, maxReward); a reward ' +
      'over what is left of the budget mints nothing (BUDGET_EXHAUSTED), paused mints nothing (PAUSED). Defaults: ' +
      'tokensPerDeltaOne 250000, maxReward 2500000, budget 1500000, not paused. ' +
      AMOUNTS,
  })
  @ApiOkResponse({ type: RewardSettingsResponseDto })
  @ApiProblems(400, 403, 404, 429)
  @ApiJsonBody(UpdateRewardSettingsDto, {
    pause: { paused: true },
    rate: { tokensPerDeltaOne: '1000.5', maxReward: '5000' },
  })
  updateSettings(
    @CurrentPrincipal() p: Principal,
    @Param() params: ModelNameParamDto,
    @Body() dto: UpdateRewardSettingsDto,
  ): Promise<RewardSettingsResponseDto> {
    return this.settings.update(p, params.name, dto);
  }

  @Get('rewards/:id')
  @Scopes('rewards:read')
  @ApiOperation({
    summary: 'One reward: amounts per wallet, tx hash, block, confirmations, status',
    description: 'Status pending → submitted → confirmed | failed, or skipped with its reason. ' + AMOUNTS,
  })
  @ApiOkResponse({ type: RewardResponseDto })
  @ApiProblems(400, 404, 429)
  async get(@CurrentPrincipal() p: Principal, @Param() params: UuidParamDto): Promise<RewardResponseDto> {
    return toRewardDto(await this.rewards.get(p, params.id));
  }

  @Get('models/:name/rewards')
  @Scopes('rewards:read')
  @ApiOperation({ summary: "A model's rewards, newest first", description: AMOUNTS })
  @ApiOkResponse({ type: RewardPageDto })
  @ApiProblems(400, 404, 429)
  async listForModel(
    @CurrentPrincipal() p: Principal,
    @Param() params: ModelNameParamDto,
    @Query() query: PageQueryDto,
  ): Promise<RewardPageDto> {
    const page = await this.rewards.listForModel(p, params.name, query);
    return { items: page.items.map(toRewardDto), nextCursor: page.nextCursor };
  }

  @Get('contributors/:walletAddress/rewards')
  @Scopes('rewards:read')
  @ApiOperation({
    summary: "A wallet's rewards, newest first, with its live on-chain balance per token",
    description: 'Errors: INVALID_WALLET (400). ' + AMOUNTS,
  })
  @ApiOkResponse({ type: ContributorRewardsDto })
  @ApiProblems(400, 429)
  async listForWallet(
    @CurrentPrincipal() p: Principal,
    @Param() params: WalletParamDto,
    @Query() query: PageQueryDto,
  ): Promise<ContributorRewardsDto> {
    const page = await this.rewards.listForWallet(p, params.walletAddress, query);
    return { ...page, items: page.items.map(toRewardDto) };
  }

  @Get('evaluations/:id/attestation')
  @Scopes('rewards:read')
  @ApiOperation({
    summary: "An accepted DeltaOne's attestation: the document, its hash and the attester's EIP-712 signature",
    description:
      'To verify: sha256 of the canonical JSON of `document` (keys sorted, shortest numbers) is `attestationHash`; ' +
      '`ethers.verifyTypedData(domain, types, value, signature)` is `signer`; `mintKey` is ' +
      'sha256("<modelId>:<attestationHash without 0x>"), the key of the mint on chain.',
  })
  @ApiOkResponse({ type: AttestationResponseDto })
  @ApiProblems(400, 404, 429)
  async attestation(@CurrentPrincipal() p: Principal, @Param() params: UuidParamDto): Promise<AttestationResponseDto> {
    const a = await this.rewards.attestation(p, params.id);
    return { ...a, domain: a.domain as AttestationResponseDto['domain'] };
  }
}
