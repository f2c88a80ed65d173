/**
 * The fileExport workflow: a dataset's files written to an S3 source, page by page.
 *   exportPlan -> exportUploadPage(1..n) -> exportCommit, and exportAbort when it fails or is cancelled.
 * History carries the job name, page numbers and counts only; the plan lives in the dataset
 * store. Multipart uploads resume from the upload activity's heartbeat details. The run
 * continues as new when Temporal suggests it.
 */
import { ActivityFailure, CancellationScope, continueAsNew, isCancellation, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import { progressQuery } from '../shared/temporal-contract';
import { renderDetails } from './details';
import { exportSummary, initialExportProgress, type ExportInput, type ExportResult } from './export-types';
import { addEffort, jobActivities } from './job-activities';

/** Exports the dataset of export job `input.job`. */
export async function fileExport(input: ExportInput): Promise<ExportResult> {
  const { quick, long } = jobActivities(input.maxErrorRetries);
  const runKey = input.resume?.runKey ?? workflowInfo().runId;
  const progress = input.resume?.progress ?? initialExportProgress();
  setHandler(progressQuery, () => progress);
  const show = () => setCurrentDetails(renderDetails(input.job, progress));
  show();
  try {
    const plan = input.resume?.plan ?? await quick.exportPlan({ job: input.job, runKey });
    progress.phase = 'uploading';
    progress.pages = plan.pages;
    progress.filesPlanned = plan.files;
    progress.bytesPlanned = plan.bytes;
    show();
    for (let page = input.resume?.page ?? 1; page <= plan.pages; page++) {
      const done = await long.exportUploadPage({ job: input.job, runKey, page });
      progress.filesExported += done.files;
      progress.bytesExported += done.bytes;
      addEffort(progress, done);
      show();
      if (page < plan.pages && workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof fileExport>({ ...input, resume: { runKey, page: page + 1, plan, progress } });
      }
    }
    progress.phase = 'committing';
    show();
    await quick.exportCommit({ job: input.job, runKey, plan, files: progress.filesExported, bytes: progress.bytesExported });
    progress.phase = 'done';
    show();
    return {
      workflowId: workflowInfo().workflowId, runKey, status: 'completed', mode: plan.mode, target: plan.target,
      filesExported: progress.filesExported, bytes: progress.bytesExported, fromTransaction: plan.fromTransaction,
      throughTransaction: plan.throughTransaction || null,
      summary: exportSummary(plan, progress.filesExported, progress.bytesExported),
    };
  } catch (err) {
    // An activity failed for good, or the run was cancelled: no multipart upload may be left
    // dangling, even when cancelled. The run fails with its own error; a failed cleanup is in the
    // history. (Anything else, continue-as-new included, is not the end of the run.)
    if (!(err instanceof ActivityFailure || isCancellation(err))) throw err;
    await CancellationScope.nonCancellable(() => quick.exportAbort({ job: input.job, runKey })).catch(() => undefined);
    throw err;
  }
}
