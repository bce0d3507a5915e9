import { createHmac } from 'node:crypto';
import { CellFinding, PiiSpan, redact, replaceSpans } from 'src/modules/privacy';
import { Row } from './contribution.rules';

export const PII_POLICIES = ['reject', 'redact', 'pseudonymize'] as const;
export type PiiPolicy = (typeof PII_POLICIES)[number];

export interface PiiSummary {
  policy: PiiPolicy;
  findings: number;
  byType: Record<string, number>;
  byColumn: Record<string, number>;
  /** What was done: nothing found, the batch refused, or the values replaced before storage. */
  action: 'none' | 'rejected' | 'redacted' | 'pseudonymized';
}

/** Where a finding is, never its value. */
export interface PiiLocation {
  row: number;
  column: string;
  type: string;
  start: number;
  end: number;
}

/** The PII summary of a batch, fed chunk by chunk. */
export class PiiTally {
  findings = 0;
  private readonly byType: Record<string, number> = {};
  private readonly byColumn: Record<string, number> = {};

  constructor(private readonly policy: PiiPolicy) {}

  add(findings: readonly CellFinding[]): void {
    for (const f of findings) {
      this.findings++;
      this.byType[f.type] = (this.byType[f.type] ?? 0) + 1;
      this.byColumn[f.column] = (this.byColumn[f.column] ?? 0) + 1;
    }
  }

  summary(): PiiSummary {
    const { policy, findings } = this;
    const action =
      findings === 0 ? 'none' : policy === 'reject' ? 'rejected' : policy === 'redact' ? 'redacted' : 'pseudonymized';
    return { policy, findings, byType: { ...this.byType }, byColumn: { ...this.byColumn }, action };
  }
}

/** `[PSEUDO:<TYPE>:<first 16 hex digits of HMAC-SHA256(secret, value)>]`: the same value always maps the same. */
export function pseudonym(secret: string, type: string, value: string): string {
  return `[PSEUDO:${type}:${createHmac('sha256', secret).update(value).digest('hex').slice(0, 16)}]`;
}

function pseudonymise(text: string, spans: PiiSpan[], secret: string): string {
  return replaceSpans(text, spans, (s, value) => pseudonym(secret, s.type, value));
}

/**
 * The rows with every finding replaced (`redact`: `[REDACTED:TYPE]`; `pseudonymize`: an HMAC pseudonym). A
 * numeric cell holding PII (a phone number sent as a number) becomes null: a number cannot hold the marker.
 */
export function applyPiiPolicy(
  rows: readonly Row[],
  findings: readonly CellFinding[],
  policy: 'redact' | 'pseudonymize',
  secret?: string,
): Row[] {
  const byCell = new Map<string, CellFinding[]>();
  for (const f of findings) {
    const key = `${f.row}\u0000${f.column}`;
    const list = byCell.get(key);
    if (list) list.push(f);
    else byCell.set(key, [f]);
  }
  const out = rows.map((r) => ({ ...r }));
  for (const [key, spans] of byCell) {
    const [rowText, column] = key.split('\u0000');
    const row = out[Number(rowText)];
    const value = row[column];
    if (typeof value !== 'string') {
      row[column] = null;
      continue;
    }
    row[column] = policy === 'redact' ? redact(value, spans) : pseudonymise(value, spans, secret ?? '');
  }
  return out;
}
