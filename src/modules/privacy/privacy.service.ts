import { Injectable } from '@nestjs/common';
import { PiiScanner, PiiSpan } from './pii-scanner';

export interface CellFinding extends PiiSpan {
  row: number;
  column: string;
}

/** Strings and integers are scanned (a phone or card number may arrive as a JSON number). */
export function scannableText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

@Injectable()
export class PrivacyService {
  readonly scanner = new PiiScanner();

  scanText(text: string): PiiSpan[] {
    return this.scanner.scan(text);
  }

  scanRows(rows: Record<string, unknown>[]): CellFinding[] {
    const findings: CellFinding[] = [];
    rows.forEach((row, r) => {
      for (const [column, value] of Object.entries(row)) {
        const text = scannableText(value);
        if (text === undefined) continue;
        for (const span of this.scanner.scan(text)) findings.push({ ...span, row: r, column });
      }
    });
    return findings;
  }
}

/**
 * The text with each span replaced by `replacement(span, value)`, in order of their start: the one span loop
 * behind redaction and pseudonymisation.
 */
export function replaceSpans(
  text: string,
  spans: PiiSpan[],
  replacement: (span: PiiSpan, value: string) => string,
): string {
  let out = '';
  let at = 0;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    out += text.slice(at, s.start) + replacement(s, text.slice(s.start, s.end));
    at = s.end;
  }
  return out + text.slice(at);
}

/** The text with every span replaced by `[REDACTED:<TYPE>]`. */
export function redact(text: string, spans: PiiSpan[]): string {
  return replaceSpans(text, spans, (s) => `[REDACTED:${s.type}]`);
}
