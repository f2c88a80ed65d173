/** Inputs, state and results of sync workflows. Pure types and helpers. */
import type { SyncProgress } from '../shared/temporal-contract';
import type { PlanSummary } from '../syncs/plan-page';

/** State carried across continue-as-new. */
export interface SyncState {
  runKey: string;
  startedAt: number;
  page: number;
  baseTransaction?: number;
  pendingPlan?: PlanSummary;
  progress: SyncProgress;
}

/** Workflow input: names and the retry budget, never secrets. */
export interface SyncInput {
  job: string;
  source: string;
  dataset: string;
  maxErrorRetries: number;
  resume?: SyncState;
}

/** What a run returns (and `sync --json` prints). */
export interface SyncResult {
  workflowId: string;
  runKey: string;
  status: 'completed';
  transaction?: number;
  transactionType?: string;
  filesAdded: number;
  filesSkipped: number;
  /** Files landed with their size as the only check (no checksum or MD5 ETag to compare). */
  filesVerifiedBySizeOnly?: number;
  bytes: number;
}

/** A fresh progress record. */
export function initialSyncProgress(): SyncProgress {
  return { kind: 'sync', phase: 'starting', retries: 0, pages: 0, listed: 0, objectsPlanned: 0, bytesPlanned: 0, filesCopied: 0, bytesCopied: 0, skipped: 0, verifiedBySizeOnly: 0 };
}
