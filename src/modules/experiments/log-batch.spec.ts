import { Batch, batchRows, UnitMemory } from './log-batch';
import type { Assignment } from './running-experiments';

const assignment = (experimentId: string, variant: string, random = false): Assignment => ({
  experimentId,
  experiment: `e-${experimentId}`,
  variant,
  version: variant === 'control' ? 1 : 2,
  random,
  shadow: null,
  unitHeader: 'x-user-id',
  weightsSince: 1_700_000_000_000,
});

function add(b: Batch, requestId: string, a: Assignment, unit: string | null, client = false): void {
  b.requestId.push(requestId);
  if (client) b.clientRequestIds.push(requestId);
  b.assignment.push(a);
  b.unit.push(unit);
  b.callerOwner.push('alice');
  b.servedVersion.push(a.version);
  b.loggedAtMs.push(1_700_000_000_500);
  b.latencyUs.push(1500);
  b.error.push(null);
}

describe('prediction log batches', () => {
  const control = assignment('x', 'control');
  const treatment = assignment('x', 'treatment');

  it('should write one row per experiment with each entry naming its assignment when a flush mixes experiments', () => {
    const b = new Batch();
    add(b, 'r1', control, 'u1');
    add(b, 'r2', assignment('y', 'control'), 'u1');
    add(b, 'r3', treatment, 'u2');
    const rows = batchRows(b, new Set(), new UnitMemory(), new Map());
    expect(rows.map((r) => [r[0], r[1], r[2], r[5], r[6]])).toEqual([
      ['x', 2, '{"control","treatment"}', '{"r1","r3"}', '{1,2}'],
      ['y', 1, '{"control"}', '{"r2"}', '{1}'],
    ]);
  });

  it('should count predictions, random assignments and errors per variant when building the totals', () => {
    const b = new Batch();
    add(b, 'r1', control, 'u1');
    add(b, 'r2', assignment('x', 'control', true), null);
    add(b, 'r3', treatment, 'u2');
    b.error[2] = 'MODEL_FAILED';
    const [row] = batchRows(b, new Set(), new UnitMemory(), new Map());
    expect(row.slice(13, 17)).toEqual(['{"control","treatment"}', '{2,1}', '{1,0}', '{0,1}']);
  });

  it('should keep a caller request id once and only when claimed when it repeats or was logged before', () => {
    const b = new Batch();
    add(b, 'mine', control, 'u1', true);
    add(b, 'mine', control, 'u1', true);
    add(b, 'old', control, 'u1', true);
    add(b, 'server', treatment, 'u2');
    const [row] = batchRows(b, new Set(['mine']), new UnitMemory(), new Map());
    expect(row[5]).toBe('{"mine","server"}');
  });

  it('should send a unit once per assignment and not again when the memory holds it', () => {
    const memory = new UnitMemory();
    const first = new Batch();
    add(first, 'r1', control, 'u1');
    add(first, 'r2', control, 'u1');
    add(first, 'r3', treatment, 'u1');
    add(first, 'r4', assignment('x', 'control', true), null);
    const sent = new Map<Assignment, Set<string>>();
    const [row] = batchRows(first, new Set(), memory, sent);
    expect(row.slice(17)).toEqual(['{"control","treatment"}', '{1700000000000,1700000000000}', '{"u1","u1"}']);

    memory.remember(sent);
    const again = new Batch();
    add(again, 'r5', control, 'u1');
    add(again, 'r6', control, 'u2');
    const [next] = batchRows(again, new Set(), memory, new Map());
    expect(next.slice(17)).toEqual(['{"control"}', '{1700000000000}', '{"u2"}']);
  });

  it('should know a unit again when the running experiments were refreshed into new assignment objects', () => {
    const memory = new UnitMemory();
    const b = new Batch();
    add(b, 'r1', control, 'u1');
    const sent = new Map<Assignment, Set<string>>();
    batchRows(b, new Set(), memory, sent);
    memory.remember(sent);

    expect(memory.has({ ...control }, 'u1')).toBe(true);
    expect(memory.has({ ...control, weightsSince: control.weightsSince + 1 }, 'u1')).toBe(false);
    expect(memory.has({ ...treatment }, 'u1')).toBe(false);
  });
});
