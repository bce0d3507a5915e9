import { ProblemError } from '../problem-error';

/** An error as the CLI prints it: the problem's code and detail and its field errors, never a stack. */
export function describeError(error: unknown): string {
  if (error instanceof ProblemError) {
    const lines = [`error ${error.code} (${error.status}): ${error.detail}`];
    for (const e of error.errors) lines.push(`  ${e.field}: ${e.message}${e.code ? ` (${e.code})` : ''}`);
    if (error.problem.requestId) lines.push(`  requestId: ${String(error.problem.requestId)}`);
    return lines.join('\n');
  }
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    return `error CONNECTION_FAILED: the server did not answer${cause ? ` (${cause})` : ''}`;
  }
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

/** A table of rows as aligned columns (human output of list commands). */
export function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '-';
    if (Array.isArray(v)) return v.map(cell).join(',');
    return typeof v === 'string' ? v : JSON.stringify(v);
  };
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(columns), ...cells.map(line)].join('\n');
}
