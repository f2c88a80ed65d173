/**
 * The export activities, as registered by activities/index.ts. Each takes job names, run keys
 * and page numbers, never secrets or file lists.
 */
import { toApplicationFailure, withLiveness } from '../activities/failures';
import type { SyncDeps } from '../syncs/deps';
import { abortExport, commitExport, keepCancellation, type CommitExportInput } from './finish';
import { planExport, type ExportPlanInput } from './plan';
import { uploadPage, type UploadPageInput } from './upload-page';

/** Builds the export activities over `deps` (resolved lazily: probes never need a store). */
export function exportActivities(deps: () => SyncDeps) {
  const mapped = <T>(fn: () => Promise<T>) => fn().catch(keepCancellation(toApplicationFailure));
  return {
    /** Decides what the run exports and stores the plan pages (see exports/plan.ts). */
    exportPlan: (input: ExportPlanInput) => mapped(() => withLiveness(() => planExport(deps(), input))),
    /** Uploads one plan page, heartbeating its multipart state (see exports/upload-page.ts). */
    exportUploadPage: (input: UploadPageInput) => mapped(() => uploadPage(deps(), input)),
    /** Records what was exported (see exports/finish.ts). */
    exportCommit: (input: CommitExportInput) => mapped(() => withLiveness(() => commitExport(deps(), input))),
    /** Aborts the open multipart uploads of a failed or cancelled run (see exports/finish.ts). */
    exportAbort: (input: { job: string; runKey: string }) => mapped(() => withLiveness(() => abortExport(deps(), input))),
  };
}
