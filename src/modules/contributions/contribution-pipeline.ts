import { CellFinding } from 'src/modules/privacy';
import { ColumnSpec, datasetHash, Row, rowHash, RowProblem, validateRows } from './contribution.rules';
import { QualityTally } from './contribution-quality';
import { applyPiiPolicy, PiiPolicy, PiiTally } from './pii-policy';

/** Row problems and PII findings listed on a contribution (all are counted). */
export const MAX_LISTED = 1000;

/** The rows of one chunk to store: valid, after the PII policy, with their hashes. */
export interface StoredChunk {
  /** Index of each row in the submitted batch. */
  indexes: number[];
  rows: Row[];
  hashes: string[];
  /** Whether the row is the first of its hash in the batch (a repeat is stored, never credited). */
  first: boolean[];
}

const NOTHING: StoredChunk = { indexes: [], rows: [], hashes: [], first: [] };

/**
 * The in-memory part of a contribution, fed chunk by chunk so that a file of any size is processed in bounded
 * memory: schema check, PII scan (and redaction or pseudonymisation), row hashes and the quality statistics.
 * Holds no row after `add` returns, only counts, the first MAX_LISTED problems and findings, and the row hashes
 * (32 bytes each, off the JS heap; the submitted rows' hashes too when a signature must be checked).
 * Pure apart from `scan`; the benchmark runs exactly this.
 */
export class ContributionRun {
  received = 0;
  valid = 0;
  readonly problems: RowProblem[] = [];
  readonly findings: CellFinding[] = [];
  readonly pii: PiiTally;
  readonly quality: QualityTally;
  /** Hashes of the rows as submitted (all of them), for the signature's dataset hash; only when asked for. */
  private readonly submitted: Set<string> | null;

  constructor(
    private readonly columns: readonly ColumnSpec[],
    private readonly scan: (rows: Row[]) => CellFinding[],
    private readonly policy: PiiPolicy,
    private readonly options: { secret?: string; textCells?: boolean; hashSubmitted?: boolean } = {},
  ) {
    this.pii = new PiiTally(policy);
    this.quality = new QualityTally(columns);
    this.submitted = options.hashSubmitted ? new Set() : null;
  }

  /** Under the `reject` policy one finding refuses the whole batch: nothing more is stored. */
  get refused(): boolean {
    return this.policy === 'reject' && this.pii.findings > 0;
  }

  add(input: readonly Row[]): StoredChunk {
    const offset = this.received;
    this.received += input.length;
    if (this.submitted) for (const row of input) this.submitted.add(rowHash(row));
    const { valid, problems } = validateRows(input, this.columns, { offset, textCells: this.options.textCells });
    this.problems.push(...problems.slice(0, MAX_LISTED - this.problems.length));
    this.valid += valid.length;
    if (valid.length === 0) return NOTHING;
    let rows = valid.map((i) => input[i - offset]);
    const found = this.scan(rows);
    this.pii.add(found);
    const room = MAX_LISTED - this.findings.length;
    if (room > 0) this.findings.push(...found.slice(0, room).map((f) => ({ ...f, row: valid[f.row] })));
    if (this.refused) return NOTHING;
    if (found.length > 0)
      rows = applyPiiPolicy(rows, found, this.policy as 'redact' | 'pseudonymize', this.options.secret);
    const hashes = rows.map(rowHash);
    return { indexes: valid, rows, hashes, first: this.quality.add(rows, hashes) };
  }

  /** The dataset hash of the rows as submitted (what a contributor signs). */
  submittedHash(): string {
    if (!this.submitted) throw new Error('ContributionRun was not asked to hash the submitted rows');
    return datasetHash([...this.submitted]);
  }
}
