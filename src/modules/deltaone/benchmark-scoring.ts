import { DatasetsService } from 'src/modules/datasets';
import { InferenceService, MatrixScorer, toFloatMatrix } from 'src/modules/inference';
import { BenchmarkMatrix, BenchmarkMatrixCache } from './benchmark-matrix-cache';
import { OutcomeCollector } from './outcome-collector';

/** What scoring a benchmark needs to know about one evaluation. */
export interface ScoringJob {
  modelName: string;
  benchmarkId: string;
  labelColumn: string;
  versions: [number, number];
  kind: 'classes' | 'numeric';
}

export interface ScoringOptions {
  /** Where a benchmark read whole is kept, and looked for first. */
  cache?: BenchmarkMatrixCache;
  /** Both versions' matrix scorers, when the caller already asked for them (`InferenceService.matrixScorer`). */
  scorers?: Promise<(MatrixScorer | null)[]>;
}

/** Benchmark rows scored per run by the matrix path. */
const MATRIX_CHUNK_ROWS = 2000;

/**
 * Both versions over every benchmark row, their predictions collected. When both versions take the same float32
 * matrix, the rows come from PostgreSQL as their packed numbers (`dataset_rows.features`) and go to the workers as one buffer a chunk; any other
 * case, or a benchmark with a value that path does not take as it is (a missing or non-numeric feature, a number
 * float32 cannot hold), goes through the row objects and the row encoder, which check and report every value.
 * Both paths give the same tensors, hence the same outcomes. With a cache, a benchmark whose matrix was read
 * whole before is not read again.
 */
export async function scoreBenchmark(
  datasets: DatasetsService,
  inference: InferenceService,
  job: ScoringJob,
  path: 'any' | 'rows' = 'any',
  options: ScoringOptions = {},
): Promise<OutcomeCollector> {
  const packed = path === 'any' ? await fromMatrix(datasets, inference, job, options) : null;
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
  { cache, scorers }: ScoringOptions,
): Promise<OutcomeCollector | null> {
  const [base, cand] = await (scorers ?? matrixScorers(inference, job));
  if (!base || !cand || base.features.join('\0') !== cand.features.join('\0')) return null;
  const key = BenchmarkMatrixCache.key(job.benchmarkId, base.features, job.labelColumn);
  const cached = cache?.get(key);
  const read = cached ? null : new MatrixReader(cache, key);
  const chunks = cached ? slices(cached) : prefetched(read!.chunks(datasets, job, base.features));
  const collector = new OutcomeCollector(job.kind);
  for await (const chunk of chunks) {
    if (!chunk) return null;
    // Each run takes its own copy: the buffer is handed over to (detached into) the worker.
    const [b, c] = await Promise.all([
      base.score(chunk.data.slice(), chunk.rows),
      cand.score(chunk.data.slice(), chunk.rows),
    ]);
    collector.addColumns(chunk.labels, b, c);
  }
  read?.keep();
  return collector;
}

interface MatrixChunk {
  rows: number;
  data: Float32Array;
  labels: unknown[];
}

/** The cached matrix in runs of MATRIX_CHUNK_ROWS rows (views: each run copies what it hands over). */
function* slices(m: BenchmarkMatrix): Generator<MatrixChunk> {
  const width = m.data.length / m.rows;
  for (let start = 0; start < m.rows; start += MATRIX_CHUNK_ROWS) {
    const end = Math.min(start + MATRIX_CHUNK_ROWS, m.rows);
    yield { rows: end - start, data: m.data.subarray(start * width, end * width), labels: m.labels.slice(start, end) };
  }
}

/**
 * The benchmark's packed features from PostgreSQL as float32 chunks; a null chunk when one cannot be taken as it is
 * (the row objects then say why). Every chunk is kept, so that once all were read the whole matrix goes to the cache.
 */
class MatrixReader {
  private readonly parts: MatrixChunk[] = [];
  private whole = true;

  constructor(
    private readonly cache: BenchmarkMatrixCache | undefined,
    private readonly key: string,
  ) {}

  async *chunks(
    datasets: DatasetsService,
    job: ScoringJob,
    features: readonly string[],
  ): AsyncGenerator<MatrixChunk | null> {
    for await (const chunk of datasets.featureChunks(job.benchmarkId, features, job.labelColumn, MATRIX_CHUNK_ROWS)) {
      const data = chunk.complete ? toFloatMatrix(chunk.data) : null;
      if (!data) {
        this.whole = false;
        yield null;
        return;
      }
      const part = { rows: chunk.rows, data, labels: chunk.labels };
      if (this.cache) this.parts.push(part);
      yield part;
    }
  }

  /** Caches the matrix read (call after scoring: the parts' buffers are not handed over, runs take copies). */
  keep(): void {
    if (!this.cache || !this.whole || this.parts.length === 0) return;
    const rows = this.parts.reduce((n, p) => n + p.rows, 0);
    const data = new Float32Array(this.parts.reduce((n, p) => n + p.data.length, 0));
    const labels: unknown[] = [];
    let at = 0;
    for (const p of this.parts) {
      data.set(p.data, at);
      at += p.data.length;
      for (const l of p.labels) labels.push(l);
    }
    this.cache.set(this.key, { rows, data, labels });
  }
}

/** Both versions' scorers, looked up at once. */
export function matrixScorers(
  inference: InferenceService,
  job: Pick<ScoringJob, 'modelName' | 'versions'>,
): Promise<(MatrixScorer | null)[]> {
  return Promise.all(job.versions.map((v) => inference.matrixScorer(job.modelName, v)));
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
