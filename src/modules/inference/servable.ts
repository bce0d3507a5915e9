import type { BatchingSettings, FeatureSpec, ModelAccess, TensorSpec } from 'src/modules/registry';

/** What inference needs to know about a model version; built from the registry's resolved version. */
export interface ServableVersion {
  modelName: string;
  /** The model's owner and visibility when the version was resolved: who may be served from it. */
  owner: ModelAccess['owner'];
  visibility: ModelAccess['visibility'];
  version: number;
  artifactPath: string;
  sha256: string;
  sizeBytes: number;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  features: FeatureSpec[] | null;
  /** The main graph's operators (null: unknown), to tell whether a run may be made on the main thread. */
  operators?: string[] | null;
  /** The aliases this version holds right now (pinned in the model cache while it holds any). */
  aliases: string[];
  /** Per-version micro-batching settings; the server defaults apply to what is not set. */
  batching?: BatchingSettings;
}

export const versionKey = (v: { modelName: string; version: number }): string => `${v.modelName}@${v.version}`;
