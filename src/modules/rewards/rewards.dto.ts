import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { MODEL_NAME, MODEL_NAME_MESSAGE } from 'src/modules/registry';
import { REWARD_STATUSES } from './reward.entity';

const TOKENS = /^(0|[1-9]\d{0,29})(\.\d{1,18})?$/;
const TOKENS_MESSAGE = 'must be a decimal token amount with at most 18 decimals, like "2.5"';

export class ModelNameParamDto {
  @ApiProperty({ example: 'churn', description: 'The model name' })
  @Matches(MODEL_NAME, { message: MODEL_NAME_MESSAGE })
  name: string;
}

export class WalletParamDto {
  @ApiProperty({ example: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' })
  @IsString()
  @MaxLength(42)
  walletAddress: string;
}

export class UpdateRewardSettingsDto {
  @ApiPropertyOptional({ example: '250000', description: 'Tokens per 100 bps of improvement (decimal string)' })
  @IsOptional()
  @Matches(TOKENS, { message: `tokensPerDeltaOne ${TOKENS_MESSAGE}` })
  tokensPerDeltaOne?: string;

  @ApiPropertyOptional({ example: '2500000', description: 'Most tokens one DeltaOne pays (decimal string)' })
  @IsOptional()
  @Matches(TOKENS, { message: `maxReward ${TOKENS_MESSAGE}` })
  maxReward?: string;

  @ApiPropertyOptional({ example: '1500000', description: 'Tokens the model may mint in total (decimal string)' })
  @IsOptional()
  @Matches(TOKENS, { message: `budget ${TOKENS_MESSAGE}` })
  budget?: string;

  @ApiPropertyOptional({ description: 'Paused: accepted DeltaOnes mint nothing (reason PAUSED)' })
  @IsOptional()
  @IsBoolean()
  paused?: boolean;
}

export class RewardSettingsResponseDto {
  @ApiProperty({ example: 'churn' }) modelName: string;
  @ApiProperty({ example: '250000', description: 'Tokens per 100 bps (decimal string, exact)' })
  tokensPerDeltaOne: string;
  @ApiProperty({ example: '2500000' }) maxReward: string;
  @ApiProperty({ example: '1500000' }) budget: string;
  @ApiProperty() paused: boolean;
  @ApiProperty({ example: '375000', description: 'Tokens awarded so far (pending, submitted, confirmed)' })
  awarded: string;
  @ApiProperty({ example: '1125000', description: 'What is left of the budget' }) remaining: string;
}

export class RewardRecipientDto {
  @ApiProperty({ example: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' }) walletAddress: string;
  @ApiProperty({ description: 'Credited (first, non-duplicate) rows in the lineage' }) creditedRows: number;
  @ApiProperty({ description: 'Weight in basis points; the weights sum to 10000' }) weightBps: number;
  @ApiProperty({ example: '1875000000000000000000', description: 'Smallest units (18 decimals), decimal string' })
  amount: string;
  @ApiProperty({ type: [String] }) contributionIds: string[];
}

export class RewardResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) evaluationId: string;
  @ApiProperty({ example: 'churn' }) model: string;
  @ApiProperty({ example: 'CHURN' }) tokenId: string;
  @ApiProperty({ enum: REWARD_STATUSES }) status: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Why nothing is minted when skipped: PAUSED, NO_CONTRIBUTORS, BUDGET_EXHAUSTED, ZERO_REWARD',
  })
  reason: string | null;
  @ApiProperty() deltaBps: number;
  @ApiProperty({ description: 'Smallest units minted in total (decimal string)' }) total: string;
  @ApiProperty({ description: 'What the formula gave before the pause and budget checks' }) wanted: string;
  @ApiProperty({ type: [RewardRecipientDto] }) recipients: RewardRecipientDto[];
  @ApiProperty({ example: '0x…' }) attestationHash: string;
  @ApiProperty({ description: 'sha256(modelId:attestationHash) as bytes32: the minter uses it once' }) mintKey: string;
  @ApiProperty() chainId: number;
  @ApiProperty({ nullable: true, type: String }) tokenAddress: string | null;
  @ApiProperty({ nullable: true, type: String }) txHash: string | null;
  @ApiProperty({ nullable: true, type: Number }) blockNumber: number | null;
  @ApiProperty({ nullable: true, type: Number }) confirmations: number | null;
  @ApiProperty({ nullable: true, type: String }) failureReason: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) confirmedAt: string | null;
}

export class RewardPageDto {
  @ApiProperty({ type: [RewardResponseDto] }) items: RewardResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class TokenBalanceDto {
  @ApiProperty({ example: 'CHURN' }) tokenId: string;
  @ApiProperty({ nullable: true, type: String }) tokenAddress: string | null;
  @ApiProperty({
    description: 'Live on-chain balance in smallest units (decimal string); null when the chain is unavailable',
    nullable: true,
    type: String,
  })
  balance: string | null;
  @ApiProperty({ description: 'Sum of the confirmed rewards of this wallet in this token' }) rewarded: string;
}

export class ContributorRewardsDto {
  @ApiProperty() walletAddress: string;
  @ApiProperty({ type: [TokenBalanceDto] }) balances: TokenBalanceDto[];
  @ApiProperty({ type: [RewardResponseDto] }) items: RewardResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class Eip712DomainDto {
  @ApiProperty({ example: 'DeltaOne Attestation' }) name: string;
  @ApiProperty({ example: '1' }) version: string;
  @ApiProperty({ example: 31337 }) chainId: number;
}

export class AttestationResponseDto {
  @ApiProperty({ format: 'uuid' }) evaluationId: string;
  @ApiProperty({ format: 'uuid' }) rewardId: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The attested document; its canonical JSON (sorted keys, shortest numbers) hashes to attestationHash',
  })
  document: Record<string, unknown>;
  @ApiProperty({ description: '0x + sha256 of the canonical JSON of document' }) attestationHash: string;
  @ApiProperty() mintKey: string;
  @ApiProperty({ type: Eip712DomainDto }) domain: Eip712DomainDto;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'EIP-712 types' })
  types: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The signed EIP-712 value' })
  value: Record<string, unknown>;
  @ApiProperty() signature: string;
  @ApiProperty({ description: 'The attester address the signature recovers to' }) signer: string;
}
