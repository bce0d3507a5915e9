import { DatasetsService } from 'src/modules/datasets';
import { InferenceService, toFloatMatrix } from 'src/modules/inference';
import { OutcomeCollector } from './outcome-collector';

/** What scoring a benchmark needs to know about one evaluation. */
export interface ScoringJob {
  modelName: string;
  benchmarkId: string;
  labelColumn: string;
  versions: [number, number];
  kind: 'classes' | 'numeric';
}

/** Benchmark rows scored per run by the matrix path. */
const MATRIX_CHUNK_ROWS = 2000;

/**
 * Both versions over every benchmark row, their predictions collected. When both versions take the same float32
 * matrix, the rows come from PostgreSQL as their packed numbers (`dataset_rows.features`) and go to the workers as one buffer a chunk; any other
 * case, or a benchmark with a value that path does not take as it is (a missing or non-numeric feature, a number
 * float32 cannot hold), goes through the row objects and the row encoder, which check and report every value.
 * Both paths give the same tensors, hence the same outcomes.
 */
export async function scoreBenchmark(
  datasets: DatasetsService,
  inference: InferenceService,
  job: ScoringJob,
  path: 'any' | 'rows' = 'any',
): Promise<OutcomeCollector> {
  const packed = path === 'any' ? await fromMatrix(datasets, inference, job) : null;
  return packed ?? (await fromRows(datasets, inference, job));
}

/** Reads the next chunk while the current one is scored; a failed read is observed so it is never unhandled. */
async function* prefetched<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  for (;;) {
    const read = await next;
    if (read.done) return;
    next = it.next();
    next.catch(() => undefined);
    yield read.value;
  }
}

async function fromMatrix(
  datasets: DatasetsService,
  inference: InferenceService,
  job: ScoringJob,
): Promise<OutcomeCollector | null> {
  const [base, cand] = await Promise.all(job.versions.map((v) => inference.matrixScorer(job.modelName, v)));
  if (!base || !cand || base.features.join('\0') !== cand.features.join('\0')) return null;
  const collector = new OutcomeCollector(job.kind);
  const chunks = datasets.featureChunks(job.benchmarkId, base.features, job.labelColumn, MATRIX_CHUNK_ROWS);
  for await (const chunk of prefetched(chunks)) {
    const matrix = chunk.complete ? toFloatMatrix(chunk.data) : null;
    if (!matrix) return null;
    // Each run takes its own copy: the buffer is handed over to (detached into) the worker.
    const [b, c] = await Promise.all([base.score(matrix.slice(), chunk.rows), cand.score(matrix, chunk.rows)]);
    collector.add(chunk.labels, b, c);
  }
  return collector;
}

async function fromRows(
  datasets: DatasetsService,
  inference: InferenceService,
  job: ScoringJob,
): Promise<OutcomeCollector> {
  const collector = new OutcomeCollector(job.kind);
  for await (const chunk of prefetched(datasets.rows(job.benchmarkId))) {
    const rows = chunk.map((r) => r.values);
    const [b, c] = await Promise.all(job.versions.map((v) => inference.scoreRows(job.modelName, v, rows)));
    collector.add(
      rows.map((r) => r[job.labelColumn]),
      b,
      c,
    );
  }
  return collector;
}
