/**
 * The bulkImport and incrementalSync workflows: a resumable loop of activities.
 *   startRun -> planPage(1) -> [copyPage(n) while planPage(n+1)] ... -> commitRun
 * Listing the next page overlaps copying the current one. History carries job names, page
 * numbers, counts and cursors only; plans, manifests and indexes live in the dataset store.
 * The run continues as new when Temporal suggests it, carrying its cursor.
 */
import { continueAsNew, defineQuery, proxyActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import type { ConnectorActivities } from '../activities';
import type { PlanSummary } from '../syncs/plan-page';
import { initialProgress, renderDetails, type SyncInput, type SyncProgress, type SyncResult } from './sync-types';

/** The `progress` query every sync run answers. */
export const progressQuery = defineQuery<SyncProgress>('progress');

function activities(input: SyncInput) {
  const retry: RetryPolicy = { maximumAttempts: input.maxErrorRetries + 1, initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' };
  // Every sync activity heartbeats: a silent worker (killed, partitioned) is detected within the
  // heartbeat timeout and the activity is retried elsewhere, resuming from what it saved.
  return {
    quick: proxyActivities<ConnectorActivities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '20 seconds', retry }),
    copy: proxyActivities<ConnectorActivities>({ startToCloseTimeout: '12 hours', heartbeatTimeout: '20 seconds', retry }),
  };
}

async function runSync(input: SyncInput): Promise<SyncResult> {
  const { quick, copy } = activities(input);
  const state = input.resume ?? { runKey: workflowInfo().runId, startedAt: Date.now(), page: 1, progress: initialProgress() };
  const progress = state.progress;
  setHandler(progressQuery, () => progress);
  const show = () => setCurrentDetails(renderDetails(input.job, progress));
  if (!input.resume) {
    state.baseTransaction = (await quick.syncStartRun(input.job)).baseTransaction;
  }
  progress.phase = 'copying';
  show();
  let plan: PlanSummary = state.pendingPlan ?? await quick.syncPlanPage({
    job: input.job, runKey: state.runKey, page: state.page, startedAt: state.startedAt, baseTransaction: state.baseTransaction,
  });
  for (;;) {
    progress.objectsPlanned += plan.toCopy;
    progress.bytesPlanned += plan.bytes;
    progress.listed += plan.listed;
    const next = plan.nextToken
      ? quick.syncPlanPage({ job: input.job, runKey: state.runKey, page: plan.page + 1, token: plan.nextToken, startedAt: state.startedAt,
        baseTransaction: state.baseTransaction, indexCursor: plan.indexCursor })
      : undefined;
    const copied = await copy.syncCopyPage({ job: input.job, runKey: state.runKey, page: plan.page });
    progress.pages = plan.page;
    progress.filesCopied += copied.files;
    progress.bytesCopied += copied.bytes;
    progress.skipped += copied.skipped;
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
  };
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
