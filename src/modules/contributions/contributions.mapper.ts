import { ContributionEntity } from './contribution.entity';
import { ContributionResponseDto, LifecycleResponseDto } from './contributions.dto';

export function toContributionDto(c: ContributionEntity): ContributionResponseDto {
  return {
    id: c.id,
    modelName: c.modelName,
    walletAddress: c.walletAddress,
    signatureVerified: c.signatureVerified,
    status: c.status,
    counts: {
      received: c.receivedRows,
      accepted: c.acceptedRows,
      rejected: c.rejectedRows,
      duplicate: c.duplicateRows,
    },
    datasetHash: c.datasetHash ?? null,
    qualityReport: c.qualityReport ?? null,
    piiSummary: c.piiSummary ?? null,
    rowErrors: c.rowErrors ?? [],
    rejectionCode: c.rejectionCode ?? null,
    rejectionReason: c.rejectionReason ?? null,
    license: c.license ?? null,
    metadata: c.metadata ?? {},
    receivedAt: c.receivedAt.toISOString(),
    createdAt: (c.createdAt ?? c.receivedAt).toISOString(),
    erased: Boolean(c.erasedAt),
    erasedAt: c.erasedAt ? c.erasedAt.toISOString() : null,
  };
}

export function toLifecycleDto(c: ContributionEntity): LifecycleResponseDto {
  const steps: [string, Date | null | undefined][] = [
    ['received', c.receivedAt],
    ['validating', c.validatingAt],
    ['accepted', c.acceptedAt],
    ['rejected', c.rejectedAt],
    ['included_in_training', c.includedInTrainingAt],
    ['rewarded', c.rewardedAt],
  ];
  return {
    id: c.id,
    status: c.status,
    steps: steps.filter(([, at]) => at).map(([state, at]) => ({ state, at: at!.toISOString() })),
  };
}
