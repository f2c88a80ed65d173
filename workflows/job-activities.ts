/**
 * The activity proxies of job workflows (syncs and exports), with the activity layer of retries
 * (README "Retries"): an activity whose objects exhausted their own retries, or that failed for
 * a transient reason outside them, is retried maxErrorRetries times with exponential backoff,
 * resuming from what it saved.
 */
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import type { ConnectorActivities } from '../activities';
import type { PageEffort } from '../jobs/page-activity';
import type { RunEffort } from '../shared/temporal-contract';

/**
 * The activity retry policy of every workflow: maxErrorRetries + 1 attempts in all, waiting 1 s
 * and doubling up to `maximumInterval` between them.
 */
export function retryPolicy(maxErrorRetries: number, maximumInterval: '30 seconds' | '1 minute' = '1 minute'): RetryPolicy {
  return { maximumAttempts: maxErrorRetries + 1, initialInterval: '1 second', backoffCoefficient: 2, maximumInterval };
}

/** `quick` for listing, planning and committing; `long` for page activities (copies, uploads). */
export function jobActivities(maxErrorRetries: number) {
  const retry = retryPolicy(maxErrorRetries);
  // Every job activity heartbeats: a silent worker (killed, partitioned) is detected within the
  // heartbeat timeout and the activity is retried elsewhere.
  return {
    // A cancelled run waits for its activities to stop before cleanup removes what they wrote.
    quick: proxyActivities<ConnectorActivities>({
      startToCloseTimeout: '30 minutes', heartbeatTimeout: '20 seconds', retry, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    }),
    long: proxyActivities<ConnectorActivities>({
      startToCloseTimeout: '12 hours', heartbeatTimeout: '20 seconds', retry, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    }),
  };
}

/** Adds a page's retries to the run's, and keeps the concurrency it ended with. */
export function addEffort(progress: RunEffort, page: PageEffort): void {
  progress.retries = (progress.retries ?? 0) + (page.retries ?? 0);
  if (page.concurrency) progress.concurrency = { limit: page.concurrency.limit, max: page.concurrency.max };
}
