/** Inputs, state, progress and results of sync workflows. Pure types and helpers. */
import type { PlanSummary } from '../syncs/plan-page';

/** Progress of a run, answered by the `progress` query and shown in the UI's details. */
export interface SyncProgress {
  phase: 'starting' | 'copying' | 'committing' | 'done';
  pages: number;
  listed: number;
  objectsPlanned: number;
  bytesPlanned: number;
  filesCopied: number;
  bytesCopied: number;
  skipped: number;
}

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
  bytes: number;
}

/** A fresh progress record. */
export function initialProgress(): SyncProgress {
  return { phase: 'starting', pages: 0, listed: 0, objectsPlanned: 0, bytesPlanned: 0, filesCopied: 0, bytesCopied: 0, skipped: 0 };
}

/** Markdown for the Web UI's "current details". */
export function renderDetails(job: string, p: SyncProgress): string {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  return `**${job}** — ${p.phase}\n\n| | |\n|---|---|\n| pages listed | ${p.pages} |\n| objects listed | ${p.listed} |\n`
    + `| files copied | ${p.filesCopied} / ${p.objectsPlanned} |\n| MB copied | ${mb(p.bytesCopied)} / ${mb(p.bytesPlanned)} |\n| skipped | ${p.skipped} |`;
}
