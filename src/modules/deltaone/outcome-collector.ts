import type { RowPrediction } from 'src/modules/inference';
import { ClassOutcomes, NumericOutcomes, Outcomes } from './domain/outcomes';
import { DeltaOneError } from './deltaone.errors';

interface VersionRows {
  predicted: Array<string | number>;
  probabilities: number[][] | null;
}

const key = (v: unknown): string => (typeof v === 'boolean' ? (v ? '1' : '0') : String(v));

/**
 * Turns both versions' predictions on the benchmark rows into per-row outcomes. Classes: integer labels (and
 * booleans) are their own class index, as the probabilities of a model trained on them are ordered; other labels
 * are indexed in sorted order (scikit-learn's `classes_`), so the positive class of binary metrics is the second.
 */
export class OutcomeCollector {
  private readonly labels: unknown[] = [];
  private readonly versions: [VersionRows, VersionRows] = [
    { predicted: [], probabilities: [] },
    { predicted: [], probabilities: [] },
  ];

  constructor(private readonly kind: 'classes' | 'numeric') {}

  get rows(): number {
    return this.labels.length;
  }

  add(labels: unknown[], baseline: RowPrediction[], candidate: RowPrediction[]): void {
    this.labels.push(...labels);
    [baseline, candidate].forEach((preds, i) => {
      const v = this.versions[i];
      for (const p of preds) {
        if (this.kind === 'numeric') {
          const value = p.value ?? (typeof p.label === 'number' ? p.label : undefined);
          if (typeof value !== 'number') throw unscorable('a regressor must output one number per row');
          v.predicted.push(value);
          continue;
        }
        const probs = p.probabilities;
        if (!probs) v.probabilities = null;
        else v.probabilities?.push(probs);
        if (p.label !== undefined) v.predicted.push(key(p.label));
        else if (probs) v.predicted.push(String(probs.indexOf(Math.max(...probs))));
        else throw unscorable('a classifier must output a label or probabilities per row');
      }
    });
  }

  outcomes(): [Outcomes, Outcomes] {
    if (this.kind === 'numeric') {
      const labels = Float64Array.from(this.labels, (l) => {
        if (typeof l !== 'number') throw unscorable('numeric labels must be numbers');
        return l;
      });
      const one = (v: VersionRows): NumericOutcomes => ({
        kind: 'numeric',
        labels,
        predicted: Float64Array.from(v.predicted as number[]),
      });
      return [one(this.versions[0]), one(this.versions[1])];
    }
    const index = this.classIndex();
    const labels = Int32Array.from(this.labels, (l) => index(key(l)));
    const one = (v: VersionRows): ClassOutcomes => {
      const probs = v.probabilities;
      return {
        kind: 'classes',
        labels,
        predicted: Int32Array.from(v.predicted, (p) => index(String(p))),
        positiveScore: probs ? Float64Array.from(probs, (p) => p[1] ?? 0) : null,
        trueProb: probs ? Float64Array.from(probs, (p, i) => p[labels[i]] ?? 0) : null,
      };
    };
    return [one(this.versions[0]), one(this.versions[1])];
  }

  private classIndex(): (k: string) => number {
    const all = new Set<string>(this.labels.map(key));
    for (const v of this.versions) for (const p of v.predicted) all.add(String(p));
    if ([...all].every((k) => /^(0|[1-9]\d{0,5})$/.test(k))) return (k) => Number(k);
    const sorted = [...all].sort();
    const map = new Map(sorted.map((k, i) => [k, i]));
    return (k) => map.get(k)!;
  }
}

function unscorable(message: string): DeltaOneError {
  return new DeltaOneError('UNSCORABLE', `The benchmark cannot be scored: ${message}.`);
}

/** Per-row outcomes packed for storage: little-endian Float64 arrays. */
export function packOutcomes(o: Outcomes): { labels: Buffer; version: Buffer } {
  const parts: ArrayLike<number>[] = [o.predicted];
  if (o.kind === 'classes' && o.positiveScore && o.trueProb) parts.push(o.positiveScore, o.trueProb);
  const n = o.labels.length;
  const version = new Float64Array(n * parts.length);
  parts.forEach((p, i) => version.set(p, i * n));
  return { labels: Buffer.from(Float64Array.from(o.labels).buffer), version: Buffer.from(version.buffer) };
}
