import { ExperimentResults } from './experiment-results';
import { ExperimentEntity } from './experiment.entity';
import { ExperimentResponseDto, ExperimentResultsDto } from './experiments.dto';

export function toExperimentDto(e: ExperimentEntity): ExperimentResponseDto {
  return {
    id: e.id,
    name: e.name,
    model: e.modelName,
    owner: e.owner,
    status: e.status,
    variants: e.variants.map((v, i) => ({
      name: v.name,
      version: v.version,
      alias: v.alias,
      weight: v.weight,
      buckets: (e.layout[i] ?? []).reduce((n, r) => n + r.end - r.start, 0),
      control: i === 0,
    })),
    shadow: e.shadow,
    unitHeader: e.unitHeader,
    primaryMetric: e.primaryMetric,
    minimumDetectableEffect: e.minimumDetectableEffect,
    guardrails: e.guardrails,
    minSamplesPerVariant: e.minSamplesPerVariant,
    alpha: e.alpha,
    autoPromote: e.autoPromote,
    createdBy: e.createdBy,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
    startedAt: e.startedAt?.toISOString() ?? null,
    endedAt: e.endedAt?.toISOString() ?? null,
  };
}

export function toResultsDto(r: ExperimentResults): ExperimentResultsDto {
  const a = r.analysis;
  return {
    experimentId: r.experimentId,
    status: r.status,
    decision: a.decision,
    winner: a.winner,
    promotable: a.promotable,
    reasons: a.reasons.map((x) => ({ ...x })),
    sampleRatio: { ...a.sampleRatio },
    fixedHorizonNote: r.fixedHorizonNote,
    variants: r.counts.map((c) => {
      const { latencyMs, outcomeSum: _sum, outcomeSumSq: _sumSq, ...counts } = c;
      const stats = a.variants.find((v) => v.name === c.name);
      return { ...counts, latencyMs: { ...latencyMs }, statistics: { ...stats } };
    }),
  };
}
