import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ExperimentEntity } from './experiment.entity';
import { analyzeExperiment, ExperimentAnalysis, FIXED_HORIZON_VALIDITY, VariantData } from './statistics';

/** What the prediction log holds for one variant. */
export interface VariantCounts {
  predictions: number;
  /** Distinct units (random assignments are left out: the sample-ratio check counts units). */
  units: number;
  /** Distinct units seen since the weights last changed: what the sample-ratio check counts. */
  unitsSinceWeights: number;
  randomPredictions: number;
  errors: number;
  outcomes: number;
  outcomeSum: number;
  outcomeSumSq: number;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
}

export interface ExperimentResults {
  experimentId: string;
  status: string;
  counts: Array<VariantCounts & { name: string; version: number; weight: number; previousPValue: number | null }>;
  analysis: ExperimentAnalysis;
  fixedHorizonNote: typeof FIXED_HORIZON_VALIDITY;
}

const EMPTY: VariantCounts = {
  predictions: 0,
  units: 0,
  unitsSinceWeights: 0,
  randomPredictions: 0,
  errors: 0,
  outcomes: 0,
  outcomeSum: 0,
  outcomeSumSq: 0,
  latencyMs: { p50: null, p95: null, p99: null },
};

/**
 * An experiment's results at this moment: the prediction log aggregated per variant in one query, handed to the
 * statistics library (always-valid mSPRT decision, fixed-horizon test beside it, sample-ratio check).
 */
@Injectable()
export class ExperimentResultsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async results(e: ExperimentEntity): Promise<ExperimentResults> {
    const counts = await this.counts(e.id, e.weightsSince);
    const stored = e.alwaysValidPValues ?? {};
    const variants: VariantData[] = e.variants.map((v) => {
      const c = counts.get(v.name) ?? EMPTY;
      return {
        name: v.name,
        weight: v.weight,
        units: c.unitsSinceWeights,
        previousPValue: stored[v.name],
        outcomes: e.primaryMetric.kind === 'proportion' ? { n: c.outcomes, successes: c.outcomeSum } : moments(c),
        serving: { requests: c.predictions, errors: c.errors, latencyP95Ms: c.latencyMs.p95 },
      };
    });
    const analysis = analyzeExperiment({
      metric: { kind: e.primaryMetric.kind, direction: e.primaryMetric.direction },
      minimumDetectableEffect: e.minimumDetectableEffect,
      alpha: e.alpha,
      minSamplesPerVariant: e.minSamplesPerVariant,
      guardrails: e.guardrails,
      variants,
    });
    return {
      experimentId: e.id,
      status: e.status,
      counts: e.variants.map((v) => ({
        name: v.name,
        version: v.version,
        weight: v.weight,
        previousPValue: stored[v.name] ?? null,
        ...(counts.get(v.name) ?? EMPTY),
      })),
      analysis,
      fixedHorizonNote: FIXED_HORIZON_VALIDITY,
    };
  }

  private async counts(experimentId: string, weightsSince: Date | null): Promise<Map<string, VariantCounts>> {
    const rows: Array<Record<string, string | number | null>> = await this.dataSource.query(
      `SELECT variant,
              count(*)::int AS predictions,
              count(DISTINCT unit) FILTER (WHERE NOT random)::int AS units,
              count(DISTINCT unit) FILTER (WHERE NOT random AND ($2::timestamptz IS NULL OR "createdAt" >= $2))::int
                AS "unitsSinceWeights",
              count(*) FILTER (WHERE random)::int AS "randomPredictions",
              count(*) FILTER (WHERE error IS NOT NULL)::int AS errors,
              count(outcome)::int AS outcomes,
              coalesce(sum(outcome), 0)::float8 AS "outcomeSum",
              coalesce(sum(outcome * outcome), 0)::float8 AS "outcomeSumSq",
              percentile_cont(0.5) WITHIN GROUP (ORDER BY "latencyMs") AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY "latencyMs") AS p95,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY "latencyMs") AS p99
         FROM experiment_predictions WHERE "experimentId" = $1 GROUP BY variant`,
      [experimentId, weightsSince],
    );
    const num = (v: string | number | null): number | null => (v === null ? null : Number(v));
    return new Map(
      rows.map((r) => [
        String(r.variant),
        {
          predictions: Number(r.predictions),
          units: Number(r.units),
          unitsSinceWeights: Number(r.unitsSinceWeights),
          randomPredictions: Number(r.randomPredictions),
          errors: Number(r.errors),
          outcomes: Number(r.outcomes),
          outcomeSum: Number(r.outcomeSum),
          outcomeSumSq: Number(r.outcomeSumSq),
          latencyMs: { p50: num(r.p50), p95: num(r.p95), p99: num(r.p99) },
        },
      ]),
    );
  }
}

/** Mean and sample variance from the sums (n − 1 denominator; 0 below two outcomes). */
function moments(c: VariantCounts): { n: number; mean: number; variance: number } {
  const n = c.outcomes;
  if (n === 0) return { n, mean: 0, variance: 0 };
  const mean = c.outcomeSum / n;
  const variance = n > 1 ? Math.max(0, (c.outcomeSumSq - n * mean * mean) / (n - 1)) : 0;
  return { n, mean, variance };
}
