export const DATASET_KINDS = ['benchmark', 'training'] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

/** A stored dataset, as other modules (evaluation, the leakage gate) see it. */
export interface DatasetRecord {
  id: string;
  modelId: string;
  kind: DatasetKind;
  /** `sha256:<64 hex>` over the sorted distinct row hashes: the contributions' dataset hash of the same rows. */
  hash: string;
  rowCount: number;
  /** The production version's features, in order, then the label column. */
  columns: string[];
  labelColumn: string;
  description: string | null;
  createdAt: Date;
}

/** One typed row: numbers as numbers, `values[labelColumn]` is the label. */
export interface DatasetRow {
  /** sha256 (hex) of the row's canonical JSON, as contributions compute a row hash. */
  hash: string;
  values: Record<string, unknown>;
}

/** Rows read, typed, checked, hashed and inserted at a time: memory holds one chunk whatever the file size. */
export const DATASET_CHUNK_ROWS = 500;

/** A chunk of rows as numbers in a given feature order (`DatasetsService.featureChunks`). */
export interface FeatureChunk {
  rows: number;
  /** The chunk's last row index. */
  last: number;
  /** False when a row lacks a feature or the label, or a feature is not a number: `data` is then empty. */
  complete: boolean;
  /** Row-major, `rows × features` values. */
  data: Float64Array;
  /** The label column's value of each row. */
  labels: unknown[];
}
