import { ContributionsService, CreditedContribution } from 'src/modules/contributions';
import { DatasetRecord, DatasetsService } from 'src/modules/datasets';
import { allocateTrainingData, TrainingData } from './trainers';
import { TrainingRunData } from './training-run.entity';

const CHUNK = 2000;

/** What a run reads: the base training set, the contributions' credited rows, the columns, the benchmark to avoid. */
export interface TrainingSources {
  modelId: string;
  dataset: DatasetRecord | null;
  contributions: CreditedContribution[];
  features: string[];
  labelColumn: string;
  classifier: boolean;
}

interface Loaded {
  data: TrainingData;
  record: TrainingRunData;
}

/**
 * Reads the rows into shared float32 arrays (the worker reads them in place): features in the base version's
 * order, the label as a class index (classifiers; classes sorted) or a value. Rows whose hash is in the active
 * benchmark are dropped (the DeltaOne leakage gate then holds by construction), as are rows with a missing or
 * non-numeric value; both are counted in the record.
 */
export async function loadTrainingData(
  s: TrainingSources,
  datasets: DatasetsService,
  contributions: ContributionsService,
): Promise<Loaded> {
  const benchmark = await datasets.activeBenchmark(s.modelId);
  const leaked = benchmark ? await datasets.rowHashes(benchmark.id) : new Set<string>();
  const bound = (s.dataset?.rowCount ?? 0) + s.contributions.reduce((n, c) => n + c.creditedRows, 0);
  const width = s.features.length;
  const buffer = allocateTrainingData(bound, width);
  const labels: unknown[] = [];
  let used = 0;
  let inBenchmark = 0;
  let missing = 0;

  const add = (hash: string, values: Record<string, unknown>): void => {
    if (leaked.has(hash)) {
      inBenchmark++;
      return;
    }
    const label = values[s.labelColumn];
    if (used >= bound || label === null || label === undefined || (!s.classifier && typeof label !== 'number')) {
      missing++;
      return;
    }
    for (let j = 0; j < width; j++) {
      const v = values[s.features[j]];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        missing++;
        return;
      }
    }
    for (let j = 0; j < width; j++) buffer.x[used * width + j] = values[s.features[j]] as number;
    labels.push(label);
    used++;
  };

  if (s.dataset) for await (const chunk of datasets.rows(s.dataset.id)) for (const r of chunk) add(r.hash, r.values);
  const ids = s.contributions.map((c) => c.id);
  for (let after: string | undefined; ids.length > 0;) {
    const chunk = await contributions.trainingRows(ids, { after, limit: CHUNK });
    for (const r of chunk) add(r.hash, r.data);
    if (chunk.length < CHUNK) break;
    after = chunk[chunk.length - 1].id;
  }

  // Integer classes are kept as they are (the exported model answers with them); other labels become the index of
  // their value among the sorted distinct ones, recorded in `classes`.
  const integers = labels.every((l) => Number.isSafeInteger(l));
  const classes = s.classifier && !integers ? sortedClasses(labels) : undefined;
  const index = new Map(classes?.map((c, i) => [c, i]));
  for (let r = 0; r < used; r++) {
    buffer.y[r] = classes ? index.get(classKey(labels[r]))! : (labels[r] as number);
  }
  // Views on the same shared memory, cut to the rows kept: no copy.
  const data: TrainingData = {
    x: new Float32Array(buffer.x.buffer, 0, used * width),
    y: new Float64Array(buffer.y.buffer, 0, used),
    rows: used,
    features: width,
  };
  const dropped: TrainingRunData['dropped'] = [];
  if (inBenchmark > 0) dropped.push({ reason: 'IN_ACTIVE_BENCHMARK', rows: inBenchmark });
  if (missing > 0) dropped.push({ reason: 'MISSING_VALUE', rows: missing });
  return {
    data,
    record: {
      dataset: s.dataset ? { id: s.dataset.id, hash: s.dataset.hash, rows: s.dataset.rowCount } : null,
      contributions: s.contributions,
      rows: used,
      dropped,
      excludedBenchmark: benchmark ? { id: benchmark.id, hash: benchmark.hash } : null,
      features: s.features,
      labelColumn: s.labelColumn,
      ...(classes ? { classes } : {}),
    },
  };
}

/** Numbers ascending before strings in code-point order, so the same labels always get the same indices. */
function sortedClasses(labels: unknown[]): (string | number)[] {
  const distinct = [...new Set(labels.map(classKey))];
  return distinct.sort((a, b) =>
    typeof a === typeof b ? (a < b ? -1 : a > b ? 1 : 0) : typeof a === 'number' ? -1 : 1,
  );
}

function classKey(label: unknown): string | number {
  return typeof label === 'number' ? label : String(label);
}
