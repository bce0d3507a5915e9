import { LRUCache } from 'lru-cache';

/** A benchmark's rows as the float32 matrix both versions take, with each row's label. */
export interface BenchmarkMatrix {
  rows: number;
  /** Row-major, `rows × features`. */
  data: Float32Array;
  labels: unknown[];
}

/**
 * Room for about fifty 10,000-row, 64-feature benchmarks. A benchmark larger than this is not kept: it is read
 * from PostgreSQL chunk by chunk on every evaluation, as before there was a cache.
 */
export const BENCHMARK_MATRIX_CACHE_BYTES = 128 * 2 ** 20;

/** Labels are mostly numbers; a string label costs more, which this does not try to count exactly. */
const LABEL_BYTES = 16;

export const matrixBytes = (m: BenchmarkMatrix): number => m.data.byteLength + m.labels.length * LABEL_BYTES;

/**
 * The float32 matrices of recently evaluated benchmarks, least recently used first out, bounded in bytes. Every
 * candidate of a model is evaluated on the same active benchmark, and a dataset's rows never change after its
 * upload (nothing updates `dataset_rows`; a dataset id is never reused), so a matrix read once is valid for as
 * long as it is kept: the next evaluation skips reading 10,000 rows from PostgreSQL on the cores inference needs.
 * Keyed by the dataset, the feature order and the label column, as a matrix holds only those.
 */
export class BenchmarkMatrixCache {
  // lru-cache refuses an entry larger than maxSize on its own (maxEntrySize defaults to it).
  private readonly entries: LRUCache<string, BenchmarkMatrix>;

  constructor(maxBytes: number = BENCHMARK_MATRIX_CACHE_BYTES) {
    this.entries = new LRUCache({ maxSize: maxBytes, sizeCalculation: matrixBytes });
  }

  static key(datasetId: string, features: readonly string[], labelColumn: string): string {
    return JSON.stringify([datasetId, labelColumn, features]);
  }

  get bytes(): number {
    return this.entries.calculatedSize;
  }

  get(key: string): BenchmarkMatrix | undefined {
    return this.entries.get(key);
  }

  /** Keeps the matrix unless it alone is over the bound; evicts the least recently used to make room. */
  set(key: string, matrix: BenchmarkMatrix): void {
    this.entries.set(key, matrix);
  }
}
