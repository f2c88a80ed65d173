/** Inputs, state and results of the fileExport workflow. Pure types and helpers. */
import type { ExportPlan } from '../exports/plan';
import type { ExportProgress } from '../shared/temporal-contract';

/** Workflow input: names and the retry budget, never secrets. */
export interface ExportInput {
  job: string;
  source: string;
  dataset: string;
  maxErrorRetries: number;
  resume?: ExportRunState;
}

/** State carried across continue-as-new. */
export interface ExportRunState {
  runKey: string;
  /** The next page to upload. */
  page: number;
  plan: ExportPlan;
  progress: ExportProgress;
}

/** What a run returns (and `export --wait --json` prints, with its runId). */
export interface ExportResult {
  workflowId: string;
  runKey: string;
  status: 'completed';
  mode: 'full' | 'incremental';
  /** `s3://bucket/prefix/` the files went to. */
  target: string;
  filesExported: number;
  bytes: number;
  /** Transactions after this id were exported. */
  fromTransaction: number;
  /** Every transaction up to this id is now exported (null when the dataset has none). */
  throughTransaction: number | null;
  /** One line for people, e.g. "nothing new to export since transaction 3". */
  summary: string;
}

/** A fresh progress record. */
export function initialExportProgress(): ExportProgress {
  return { kind: 'export', phase: 'planning', retries: 0, pages: 0, filesPlanned: 0, bytesPlanned: 0, filesExported: 0, bytesExported: 0 };
}

/** The human summary of a finished export. */
export function exportSummary(plan: ExportPlan, files: number, bytes: number): string {
  if (plan.pages === 0) {
    return plan.mode === 'incremental' && plan.fromTransaction > 0
      ? `nothing new to export: transactions up to ${plan.fromTransaction} were already exported to ${plan.target}`
      : `nothing to export: the dataset's view is empty`;
  }
  const range = plan.fromTransaction + 1 === plan.throughTransaction ? `transaction ${plan.throughTransaction}` : `transactions ${plan.fromTransaction + 1}-${plan.throughTransaction}`;
  return `exported ${files} file(s), ${bytes} bytes of ${range} to ${plan.target}`;
}
