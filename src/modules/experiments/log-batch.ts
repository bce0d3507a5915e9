import { numberArray, textArray } from './pg-arrays';
import type { Assignment } from './running-experiments';

/**
 * Entries waiting to be written, a column per field: no object and no Date per request, and a flush's parameters
 * are built from the columns directly.
 */
export class Batch {
  readonly requestId: string[] = [];
  /** The request ids among them that the callers chose (a replay of one is logged once). */
  readonly clientRequestIds: string[] = [];
  readonly assignment: Assignment[] = [];
  readonly unit: (string | null)[] = [];
  readonly callerOwner: string[] = [];
  readonly servedVersion: (number | null)[] = [];
  /** Epoch milliseconds. */
  readonly loggedAtMs: number[] = [];
  /** Whole microseconds: an integer's text is cheaper to make than a float's. */
  readonly latencyUs: number[] = [];
  readonly error: (string | null)[] = [];

  get length(): number {
    return this.requestId.length;
  }
}

/** Units remembered at most, over all experiments, variants and weights. */
const REMEMBERED_UNITS = 100_000;

/**
 * The units this process has written: a returning unit is not sent again (its row exists), which took the units'
 * insert off most flushes. Forgetting only costs a redundant insert that changes nothing.
 */
export class UnitMemory {
  /** By experiment, variant and weights, not by Assignment: a refresh of the running experiments makes new ones. */
  private known = new Map<string, Set<string>>();
  private size = 0;

  has(a: Assignment, unit: string): boolean {
    return this.known.get(keyOf(a))?.has(unit) === true;
  }

  /** Called once a flush's units are committed. */
  remember(written: Map<Assignment, Set<string>>): void {
    for (const [a, units] of written) {
      if (this.size + units.size > REMEMBERED_UNITS) {
        this.known = new Map();
        this.size = 0;
      }
      const key = keyOf(a);
      let known = this.known.get(key);
      if (!known) this.known.set(key, (known = new Set()));
      for (const u of units) {
        if (known.has(u)) continue;
        known.add(u);
        this.size++;
      }
    }
  }
}

const keyOf = (a: Assignment): string => `${a.experimentId}\n${a.variant}\n${a.weightsSince}`;

/**
 * Splits a flush by experiment (one as a rule) into the parameters of one batch row each (INSERT_BATCH in
 * prediction-log.ts). An entry with a caller's request id is kept only when the id is among `claimed` (new to the
 * log), and only its first time (`claimed` is used up). `units` collects the (assignment, unit) pairs sent, for
 * the unit memory.
 */
export function batchRows(
  batch: Batch,
  claimed: Set<string>,
  memory: UnitMemory,
  units: Map<Assignment, Set<string>>,
): unknown[][] {
  const callers = batch.clientRequestIds.length > 0 ? new Set(batch.clientRequestIds) : undefined;
  const byExperiment = new Map<string, number[]>();
  for (let i = 0; i < batch.length; i++) {
    if (callers?.has(batch.requestId[i]) && !claimed.delete(batch.requestId[i])) continue;
    const id = batch.assignment[i].experimentId;
    const rows = byExperiment.get(id);
    if (rows) rows.push(i);
    else byExperiment.set(id, [i]);
  }
  return [...byExperiment].map(([experimentId, rows]) => [experimentId, ...rowParams(batch, rows, memory, units)]);
}

/** The entries `rows` of `batch`: the column itself when they are all of it (the usual case), else a copy. */
function pick<T>(column: readonly T[], rows: readonly number[]): readonly T[] {
  return rows.length === column.length ? column : rows.map((i) => column[i]);
}

function rowParams(
  batch: Batch,
  rows: readonly number[],
  memory: UnitMemory,
  units: Map<Assignment, Set<string>>,
): unknown[] {
  // The assignment's fields go once per distinct assignment (one per variant, as a rule), each entry naming its own
  // by position: fewer values to format and to parse.
  const distinct: Assignment[] = [];
  const at = new Map<Assignment, number>();
  const position = new Array<number>(rows.length);
  const totals = new Map<string, { predictions: number; random: number; errors: number }>();
  const newUnits: { variant: string[]; weightsSince: number[]; unit: string[] } = {
    variant: [],
    weightsSince: [],
    unit: [],
  };
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    const a = batch.assignment[i];
    let p = at.get(a);
    if (p === undefined) {
      p = distinct.push(a);
      at.set(a, p);
    }
    position[k] = p;
    let t = totals.get(a.variant);
    if (!t) totals.set(a.variant, (t = { predictions: 0, random: 0, errors: 0 }));
    t.predictions++;
    if (a.random) t.random++;
    if (batch.error[i] !== null) t.errors++;
    const u = batch.unit[i];
    if (u === null || a.random || memory.has(a, u)) continue;
    let sent = units.get(a);
    if (!sent) units.set(a, (sent = new Set()));
    if (sent.has(u)) continue;
    sent.add(u);
    newUnits.variant.push(a.variant);
    newUnits.weightsSince.push(a.weightsSince);
    newUnits.unit.push(u);
  }
  return [
    rows.length,
    textArray(distinct.map((a) => a.variant)),
    numberArray(distinct.map((a) => a.version)),
    numberArray(distinct.map((a) => a.random)),
    textArray(pick(batch.requestId, rows)),
    numberArray(position),
    numberArray(pick(batch.servedVersion, rows)),
    textArray(pick(batch.unit, rows)),
    textArray(pick(batch.callerOwner, rows)),
    numberArray(pick(batch.loggedAtMs, rows)),
    numberArray(pick(batch.latencyUs, rows)),
    textArray(pick(batch.error, rows)),
    textArray([...totals.keys()]),
    numberArray([...totals.values()].map((t) => t.predictions)),
    numberArray([...totals.values()].map((t) => t.random)),
    numberArray([...totals.values()].map((t) => t.errors)),
    textArray(newUnits.variant),
    numberArray(newUnits.weightsSince),
    textArray(newUnits.unit),
  ];
}
