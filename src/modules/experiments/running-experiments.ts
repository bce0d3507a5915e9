import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BUCKETS, bucketOf, bucketTable } from './assignment';
import { ExperimentEntity } from './experiment.entity';
import { RoutingPlan, Shadow, weightsEpoch } from './experiments.rules';

/** Where a routed request goes: what the answer names, and what its metrics are labelled by. */
export interface Assignment {
  readonly experimentId: string;
  readonly experiment: string;
  readonly variant: string;
  readonly version: number;
  /** Assigned at random because the request named no unit (counted apart from the sticky assignments). */
  readonly random: boolean;
  readonly shadow: Shadow | null;
  /** The header naming the unit (lower case). */
  readonly unitHeader: string;
  /** The experiment's `weightsSince` (epoch ms) when these weights were read: the units it served are kept per weights. */
  readonly weightsSince: number;
}

/** Reads a request header by its lower-case name. */
export type HeaderReader = (name: string) => string | string[] | undefined;

interface Compiled {
  plan: RoutingPlan;
  table: Uint8Array;
  /** Per variant: the assignment for a named unit and for a random one, made once (no allocation per request). */
  byUnit: Assignment[];
  byChance: Assignment[];
  /** Buckets of units seen lately (a returning unit costs no hash); emptied when it reaches MEMO_UNITS. */
  buckets: Map<string, number>;
}

/** Units whose bucket is remembered per experiment, at most (about 1 MB with 40-byte ids). */
const MEMO_UNITS = 10_000;
/** Longer unit ids are hashed every time (they would make the memo's memory unbounded). */
const MEMO_MAX_UNIT_LENGTH = 100;

/**
 * The running experiments, in memory, keyed by model name: routing asks `assign` on every predict request that
 * names no version, so it costs a map lookup, a hash and a table read, never a query. `refresh` reads them again
 * (one query): after a change on this replica at once, and on every other replica with the router's refresh.
 */
@Injectable()
export class RunningExperiments {
  private readonly logger = new Logger('Experiments');
  private byModel = new Map<string, Compiled>();
  private refreshing: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  assign(modelName: string, header: HeaderReader): Assignment | undefined {
    const compiled = this.byModel.get(modelName);
    if (!compiled) return undefined;
    const raw = header(compiled.plan.unitHeader);
    const unit = Array.isArray(raw) ? raw[0] : raw;
    if (unit) return compiled.byUnit[compiled.table[this.bucket(compiled, unit)]];
    return compiled.byChance[compiled.table[Math.floor(Math.random() * BUCKETS)]];
  }

  private bucket(compiled: Compiled, unit: string): number {
    const memo = compiled.buckets;
    let bucket = memo.get(unit);
    if (bucket === undefined) {
      bucket = bucketOf(compiled.plan.id, unit);
      if (unit.length <= MEMO_MAX_UNIT_LENGTH) {
        if (memo.size >= MEMO_UNITS) memo.clear();
        memo.set(unit, bucket);
      }
    }
    return bucket;
  }

  /** The plan of the model's running experiment, if any. */
  planOf(modelName: string): RoutingPlan | undefined {
    return this.byModel.get(modelName)?.plan;
  }

  /**
   * Reads the running experiments again. A call during a read waits for a read that starts after it (the one in
   * flight may have begun before the caller's commit); the calls made during one read share the next.
   */
  refresh(): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = this.load().finally(() => {
        this.refreshing = null;
      });
      return this.refreshing;
    }
    this.next ??= this.refreshing.then(() => {
      this.next = null;
      return this.refresh();
    });
    return this.next;
  }

  private async load(): Promise<void> {
    try {
      const rows = await this.dataSource.getRepository(ExperimentEntity).find({ where: { status: 'running' } });
      const before = this.byModel;
      this.byModel = new Map(
        rows.map((row): [string, Compiled] => {
          // A unit's bucket depends on the experiment id alone: the memo outlives weight changes and refreshes.
          const prev = before.get(row.modelName);
          return [row.modelName, compile(row, prev?.plan.id === row.id ? prev.buckets : undefined)];
        }),
      );
    } catch (err) {
      // Keep routing by what is known; the next refresh tries again.
      this.logger.warn({ message: 'could not refresh running experiments', error: (err as Error).message });
    }
  }
}

function compile(row: ExperimentEntity, buckets = new Map<string, number>()): Compiled {
  const plan: RoutingPlan = {
    id: row.id,
    name: row.name,
    modelName: row.modelName,
    unitHeader: row.unitHeader.toLowerCase(),
    variants: row.variants,
    layout: row.layout,
    shadow: row.shadow,
  };
  const weightsSince = weightsEpoch(row).getTime();
  const make = (random: boolean): Assignment[] =>
    plan.variants.map((v) =>
      Object.freeze({
        experimentId: plan.id,
        experiment: plan.name,
        variant: v.name,
        version: v.version,
        random,
        shadow: plan.shadow,
        unitHeader: plan.unitHeader,
        weightsSince,
      }),
    );
  return { plan, table: bucketTable(plan.layout), byUnit: make(false), byChance: make(true), buckets };
}
