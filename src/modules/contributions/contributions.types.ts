import { RegisteredModel } from 'src/modules/registry';
import { ColumnSpec, Row } from './contribution.rules';
import { PiiPolicy } from './pii-policy';

export interface ContributionSubmission {
  rows: Row[];
  /** The rows come from CSV: every cell is text, typed by the model's schema. */
  textCells?: boolean;
  contributor: { walletAddress: string; signature?: string; signedAt?: string };
  license?: string;
  metadata?: Record<string, unknown>;
}

export interface ContributionSettings {
  modelName: string;
  piiPolicy: PiiPolicy;
  minQuality: number;
  requireSignature: boolean;
}

export interface AcceptedRow {
  id: string;
  contributionId: string;
  data: Record<string, unknown>;
}

/** A credited row of a contribution, for a training run: `hash` is the row hash (hex), as datasets store it. */
export interface TrainingRow {
  id: string;
  contributionId: string;
  hash: string;
  data: Record<string, unknown>;
}

/** A contribution and how many of its rows are credited to it (and still have their contents). */
export interface CreditedContribution {
  id: string;
  walletAddress: string;
  creditedRows: number;
}

/** The training run that used contributions' rows. */
export interface TrainingRef {
  modelName: string;
  version: number;
}

/** The reward paid for contributions (a mint transaction, when on chain). */
export interface RewardRef {
  txHash?: string;
  rewardId?: string;
}

/** One wallet's credited rows among the contributions of a model version's lineage. */
export interface LineageCredit {
  walletAddress: string;
  /** Its contributions that count, oldest first. */
  contributionIds: string[];
  creditedRows: number;
}

/** What a submission is checked against: the model, the contributor's wallet, the settings and the columns. */
export interface SubmitContext {
  model: RegisteredModel;
  wallet: string;
  settings: ContributionSettings;
  columns: ColumnSpec[];
}

/** Where a contribution's rows come from and what to check once they are all read. */
export interface RowSource {
  chunks: Iterable<Row[]> | AsyncIterable<Row[]>;
  textCells: boolean;
  /** A signature the job checks against the dataset hash of the submitted rows (the request checks before). */
  signature?: { signature: string; signedAt: string };
}

export const DEFAULT_MIN_QUALITY = 0.8;
export const LARGE_UPLOAD_QUEUE = 'contributions.large-upload';
/**
 * Rows processed and inserted at a time by the durable job: its memory does not grow with the file. Small, so a
 * chunk's short-lived objects die in V8's young generation instead of being promoted and piling up until a full
 * collection (server RSS growth for a 50 MB upload: about 229 MB with 5,000-row chunks, about 150 MB with 500).
 */
export const CHUNK_ROWS = 500;
