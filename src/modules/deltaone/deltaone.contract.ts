/**
 * What the DeltaOne decision hands to the rewards module: an accepted decision becomes one durable job on
 * `REWARDS_AWARD_QUEUE`, enqueued in the transaction that stores the decision (job id derived from the evaluation
 * id, so a decision is handed over once). The job's data carries everything the attestation needs, so rewards
 * reads nothing back from the evaluation.
 */
export const REWARDS_AWARD_QUEUE = 'rewards.award';

export interface AcceptedVersionRef {
  versionId: string;
  version: number;
  /** The artifact's sha256 (64 hex). */
  sha256: string;
  /** The metric measured on the benchmark, in integer basis points. */
  metricBps: number;
}

export interface AcceptedDeltaOne {
  evaluationId: string;
  modelId: string;
  modelName: string;
  tokenId: string;
  metric: string;
  direction: 'higher' | 'lower';
  benchmark: { datasetId: string; hash: string };
  baseline: AcceptedVersionRef;
  candidate: AcceptedVersionRef;
  /** Direction-aware improvement in basis points (positive = better). */
  deltaBps: number;
  /** Benchmark rows both versions were scored on. */
  n: number;
  /** The significance test and its figures, as stored on the evaluation. */
  statistics: Record<string, unknown>;
  /** ISO 8601. */
  decidedAt: string;
}
