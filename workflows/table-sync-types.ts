/** Inputs, state and results of the tableSync workflow. Pure types. */
import type { TableSyncPlan } from '../pipelines/table-plan';
import type { SyncProgress } from '../shared/temporal-contract';
import type { SyncResult } from './sync-types';

/** State carried across continue-as-new: the run, its plan's summary, the next page and counts. */
export interface TableSyncState {
  runKey: string;
  plan?: TableSyncPlan;
  /** The next page to write. */
  page: number;
  progress: SyncProgress;
}

/** Workflow input: names and the retry budget, never secrets. */
export interface TableSyncInput {
  job: string;
  source: string;
  dataset: string;
  maxErrorRetries: number;
  resume?: TableSyncState;
}

/** What a run returns (`sync --json` prints the SyncResult fields). */
export interface TableSyncResult extends SyncResult {
  table: string;
  /** Delta: the versions landed (none when there was nothing new). */
  fromVersion?: number;
  toVersion?: number;
  /** Iceberg: the last snapshot landed (64-bit id, decimal text). */
  toSnapshotId?: string;
  /** Rows in the files landed. */
  rows: number;
  /** One line saying what the run landed, for `sync --wait`. */
  summary: string;
}
