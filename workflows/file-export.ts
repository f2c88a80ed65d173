/**
 * The fileExport workflow: a dataset's files written to an S3 source, page by page.
 *   exportPlan -> exportUploadPage(1..n) -> exportCommit, and exportAbort when it fails or is cancelled.
 * History carries the job name, page numbers and counts only; the plan lives in the dataset
 * store. Multipart uploads resume from the upload activity's heartbeat details. The run
 * continues as new when Temporal suggests it.
 */
import {
  ActivityCancellationType, CancellationScope, ContinueAsNew, continueAsNew, proxyActivities, setCurrentDetails, setHandler, workflowInfo,
} from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import type { ConnectorActivities } from '../activities';
import { exportSummary, type ExportInput, type ExportResult } from './export-types';
import { progressQuery } from './sync';
import { initialProgress, renderDetails } from './sync-types';

function activities(input: ExportInput) {
  const retry: RetryPolicy = { maximumAttempts: input.maxErrorRetries + 1, initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' };
  return {
    quick: proxyActivities<ConnectorActivities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '20 seconds', retry }),
    // Waits for a cancelled upload to stop before cleanup aborts its multipart uploads.
    upload: proxyActivities<ConnectorActivities>({
      startToCloseTimeout: '12 hours', heartbeatTimeout: '20 seconds', retry, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    }),
  };
}

/** Exports the dataset of export job `input.job` (PRODUCT.md: `export JOB`). */
export async function fileExport(input: ExportInput): Promise<ExportResult> {
  const { quick, upload } = activities(input);
  const runKey = input.resume?.runKey ?? workflowInfo().runId;
  const progress = input.resume?.progress ?? initialProgress();
  setHandler(progressQuery, () => progress);
  const show = () => setCurrentDetails(renderDetails(input.job, progress).replace('files copied', 'files exported').replace('MB copied', 'MB exported'));
  show();
  try {
    const plan = input.resume?.plan ?? await quick.exportPlan({ job: input.job, runKey });
    progress.phase = 'copying';
    progress.pages = plan.pages;
    progress.listed = plan.files;
    progress.objectsPlanned = plan.files;
    progress.bytesPlanned = plan.bytes;
    show();
    for (let page = input.resume?.page ?? 1; page <= plan.pages; page++) {
      const done = await upload.exportUploadPage({ job: input.job, runKey, page });
      progress.filesCopied += done.files;
      progress.bytesCopied += done.bytes;
      show();
      if (page < plan.pages && workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof fileExport>({ ...input, resume: { runKey, page: page + 1, plan, progress } });
      }
    }
    progress.phase = 'committing';
    show();
    await quick.exportCommit({ job: input.job, runKey, plan, files: progress.filesCopied, bytes: progress.bytesCopied });
    progress.phase = 'done';
    show();
    return {
      workflowId: workflowInfo().workflowId, runKey, status: 'completed', mode: plan.mode, target: plan.target,
      filesExported: progress.filesCopied, bytes: progress.bytesCopied, fromTransaction: plan.fromTransaction,
      throughTransaction: plan.throughTransaction || null,
      summary: exportSummary(plan, progress.filesCopied, progress.bytesCopied),
    };
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    // Failed or cancelled: no multipart upload may be left dangling. Runs even when cancelled.
    await CancellationScope.nonCancellable(() => quick.exportAbort({ job: input.job, runKey }));
    throw err;
  }
}
