import { RewardResponseDto } from './rewards.dto';
import { RewardEntity } from './reward.entity';

export function toRewardDto(r: RewardEntity): RewardResponseDto {
  return {
    id: r.id,
    evaluationId: r.evaluationId,
    model: r.modelName,
    tokenId: r.tokenId,
    status: r.status,
    reason: r.reason,
    deltaBps: r.deltaBps,
    total: r.total,
    wanted: r.wanted,
    recipients: r.recipients,
    attestationHash: r.attestationHash,
    mintKey: r.mintKey,
    chainId: r.chainId,
    tokenAddress: r.tokenAddress,
    txHash: r.txHash,
    blockNumber: r.blockNumber,
    confirmations: r.confirmations,
    failureReason: r.failureReason,
    createdAt: r.createdAt.toISOString(),
    confirmedAt: r.confirmedAt?.toISOString() ?? null,
  };
}
