import { CellFinding } from 'src/modules/privacy';
import {
  ColumnSpec,
  datasetHash,
  qualityReport,
  QualityReport,
  Row,
  rowHash,
  RowProblem,
  validateRows,
} from './contribution.rules';
import { applyPiiPolicy, PiiPolicy, PiiSummary, summarisePii } from './pii-policy';

export interface ProcessedBatch {
  /** Indexes (in the submitted batch) of the rows that passed the schema check. */
  valid: number[];
  problems: RowProblem[];
  /** PII findings, `row` being the index in the submitted batch. */
  findings: CellFinding[];
  piiSummary: PiiSummary | null;
  /** The valid rows after the PII policy (empty when the policy refuses the batch). */
  rows: Row[];
  hashes: string[];
  quality: QualityReport | null;
  datasetHash: string | null;
}

/**
 * The in-memory part of a contribution: schema check, PII scan (and redaction or pseudonymisation), row hashes,
 * dataset hash and quality report. Pure apart from `scan`; the benchmark runs exactly this.
 */
export function processBatch(
  input: readonly Row[],
  columns: readonly ColumnSpec[],
  scan: (rows: Row[]) => CellFinding[],
  policy: PiiPolicy,
  secret?: string,
): ProcessedBatch {
  const { valid, problems } = validateRows(input, columns);
  const empty = {
    valid,
    problems,
    findings: [],
    piiSummary: null,
    rows: [],
    hashes: [],
    quality: null,
    datasetHash: null,
  };
  if (valid.length === 0) return empty;
  let rows = valid.map((i) => input[i]);
  const found = scan(rows);
  const piiSummary = summarisePii(found, policy);
  const findings = found.map((f) => ({ ...f, row: valid[f.row] }));
  if (found.length > 0) {
    if (policy === 'reject') return { ...empty, findings, piiSummary };
    rows = applyPiiPolicy(rows, found, policy, secret);
  }
  const hashes = rows.map(rowHash);
  return {
    valid,
    problems,
    findings,
    piiSummary,
    rows,
    hashes,
    quality: qualityReport(rows, hashes, columns),
    datasetHash: datasetHash(hashes),
  };
}
