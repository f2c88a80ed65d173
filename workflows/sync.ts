/**
 * The bulkImport, incrementalSync and mediaSync workflows: a resumable loop of activities.
 *   startRun -> planPage(1) -> [copyPage(n) while planPage(n+1)] ... -> commitRun
 * and abortRun when the run fails or is cancelled. Listing the next page overlaps copying the
 * current one. History carries job names, page numbers, counts and cursors only; plans,
 * manifests and indexes live in the dataset store. The run continues as new when Temporal
 * suggests it, carrying its cursor.
 */
import { ActivityFailure, CancellationScope, continueAsNew, isCancellation, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import { progressQuery } from '../shared/temporal-contract';
import type { PlanSummary } from '../syncs/plan-page';
import { renderDetails } from './details';
import { addEffort, jobActivities } from './job-activities';
import { initialSyncProgress, type SyncInput, type SyncResult, type SyncState } from './sync-types';

async function runSync(input: SyncInput): Promise<SyncResult> {
  const { quick, long } = jobActivities(input.maxErrorRetries);
  const state: SyncState = input.resume ?? { runKey: workflowInfo().runId, startedAt: Date.now(), page: 1, progress: initialSyncProgress() };
  const progress = state.progress;
  setHandler(progressQuery, () => progress);
  const show = () => setCurrentDetails(renderDetails(input.job, progress));
  // The next page's plan, made while the current page copies: cleanup waits for it, so that it
  // writes no plan file into the staging after cleanup removed it.
  let planning: Promise<unknown> | undefined;
  try {
    if (!input.resume) {
      state.baseTransaction = (await quick.syncStartRun(input.job)).baseTransaction;
    }
    progress.phase = state.pendingPlan ? 'copying' : 'listing';
    show();
    let plan: PlanSummary = state.pendingPlan ?? await quick.syncPlanPage({
      job: input.job, runKey: state.runKey, page: state.page, startedAt: state.startedAt, baseTransaction: state.baseTransaction,
    });
    progress.phase = 'copying';
    for (;;) {
      progress.objectsPlanned += plan.toCopy;
      progress.bytesPlanned += plan.bytes;
      progress.listed += plan.listed;
      const next = plan.nextToken
        ? quick.syncPlanPage({ job: input.job, runKey: state.runKey, page: plan.page + 1, token: plan.nextToken, startedAt: state.startedAt,
          baseTransaction: state.baseTransaction, indexCursor: plan.indexCursor })
        : undefined;
      // Awaited after the copy; observed now, so that its rejection (the run cancelled, or the copy
      // failing first) is never unhandled, which would fail the workflow task instead of the run.
      planning = next?.catch(() => undefined);
      const copied = await long.syncCopyPage({ job: input.job, runKey: state.runKey, page: plan.page });
      progress.pages = plan.page;
      progress.filesCopied += copied.files;
      progress.bytesCopied += copied.bytes;
      progress.skipped += copied.skipped;
      progress.verifiedBySizeOnly = (progress.verifiedBySizeOnly ?? 0) + (copied.verifiedBySizeOnly ?? 0);
      addEffort(progress, copied);
      show();
      if (!next) break;
      plan = await next;
      if (workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof runSync>({ ...input, resume: { ...state, page: plan.page, pendingPlan: plan } });
      }
    }
    progress.phase = 'committing';
    show();
    const committed = await quick.syncCommitRun({ job: input.job, runKey: state.runKey, pages: progress.pages, files: progress.filesCopied, bytes: progress.bytesCopied });
    progress.phase = 'done';
    show();
    return {
      workflowId: workflowInfo().workflowId, runKey: state.runKey, status: 'completed', transaction: committed.transaction,
      transactionType: committed.type, filesAdded: progress.filesCopied, filesSkipped: progress.skipped, bytes: progress.bytesCopied,
      filesVerifiedBySizeOnly: progress.verifiedBySizeOnly ?? 0,
    };
  } catch (err) {
    // An activity failed for good, or the run was cancelled: remove what the run staged, even
    // when cancelled. The run fails with its own error; a failed cleanup is in the history.
    // (Anything else, continue-as-new included, is not the end of the run.)
    if (!(err instanceof ActivityFailure || isCancellation(err))) throw err;
    await CancellationScope.nonCancellable(async () => {
      await planning;
      await quick.syncAbortRun({ job: input.job, runKey: state.runKey });
    }).catch(() => undefined);
    throw err;
  }
}

/** Lands every object below the job's prefix as one SNAPSHOT (by default) transaction. */
export async function bulkImport(input: SyncInput): Promise<SyncResult> {
  return runSync(input);
}

/** Lands the objects that are new or changed since the job's last committed run. */
export async function incrementalSync(input: SyncInput): Promise<SyncResult> {
  return runSync(input);
}

/**
 * A media set (mode: media): incremental like incrementalSync, and each copied object is
 * typed from its bytes, checked, described and deduplicated (see media/).
 */
export async function mediaSync(input: SyncInput): Promise<SyncResult> {
  return runSync(input);
}
