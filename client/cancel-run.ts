/**
 * Cancelling a run and waiting for its cleanup: the workflow removes its staging, manifests and
 * its own blobs (syncs) or aborts its open multipart uploads (exports) before it closes as
 * CANCELLED, so "cancelled" is said only once that has happened.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { UsageError } from './errors';

/** How a cancel request ended. */
export interface CancelOutcome {
  workflowId: string;
  runId: string;
  /** The run's status once it closed: CANCELLED normally, COMPLETED/FAILED when it ended first. */
  status: string;
}

/**
 * Requests cancellation of the running run of `handle` and waits until it has closed.
 * @throws UsageError when the workflow's latest run is not running.
 */
export async function cancelRun(handle: WorkflowHandle): Promise<CancelOutcome> {
  const before = await handle.describe();
  if (before.status.name !== 'RUNNING') {
    throw new UsageError(`${handle.workflowId} (run ${before.runId}) is not running (${before.status.name}); there is nothing to cancel.`);
  }
  const run = handle.client.getHandle(before.workflowId, before.runId, { followRuns: true });
  await run.cancel();
  try {
    await run.result();
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err; // cancelled (or failed meanwhile): its status says which
  }
  const after = await handle.client.getHandle(before.workflowId).describe();
  return { workflowId: after.workflowId, runId: after.runId, status: after.status.name };
}
