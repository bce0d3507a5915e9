import type { ModelAccess } from 'src/modules/registry';
import { ServableVersion } from './servable';

export interface VersionRef {
  version?: number;
  alias?: string;
}

export type { ModelAccess };

export interface ServableSummary extends ModelAccess {
  name: string;
  version: number;
  aliases: string[];
}

/**
 * How inference learns about model versions. The registry module provides it (see inference.module.ts); the
 * inference code never touches registry tables.
 */
export interface VersionSource {
  /**
   * The version a reference points at; with neither version nor alias, the `production` alias. Resolved for the
   * server (any model), so the caller checks the key's access on the result.
   */
  resolve(name: string, ref: VersionRef): Promise<ServableVersion>;
  /** The version that held `production` before the current one, if any. */
  previousProduction(name: string): Promise<number | null>;
  /**
   * For each active model among `names`, a text that changes whenever a reference to it may resolve differently;
   * archived and unknown models are missing.
   */
  resolutionStamps(names: string[]): Promise<Map<string, string>>;
  /** Every servable version that holds an alias (the repository index), of every owner. */
  listAliased(): Promise<ServableSummary[]>;
  /** The model's owner and visibility, or null when there is no such model. */
  access(name: string): Promise<ModelAccess | null>;
}

export const VERSION_SOURCE = Symbol('VERSION_SOURCE');
