/**
 * Short interactive workflows: check, explore (one page) and preview. They run on the worker
 * so that only the worker needs credentials.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { CheckResult, ConnectorActivities, ExplorePage, ExploreRequest, PreviewResult, SyncDryRun } from '../activities';
import { retryPolicy } from './job-activities';

/** Common input: the source and its retry budget (not a secret; from the config's maxErrorRetries). */
export interface ProbeInput {
  source: string;
  maxErrorRetries: number;
}

/**
 * The activities of a short workflow, retried as every activity is (retryPolicy).
 * `reading` ones (a table's whole log replayed) may take minutes and heartbeat meanwhile.
 */
export function probeActivities(maxErrorRetries: number, reading = false) {
  return proxyActivities<ConnectorActivities>({
    ...(reading ? { startToCloseTimeout: '30 minutes', heartbeatTimeout: '20 seconds' } : { startToCloseTimeout: '2 minutes' }),
    retry: retryPolicy(maxErrorRetries, '30 seconds'),
  });
}

/** The activities of a probe. */
const activitiesFor = (input: ProbeInput) => probeActivities(input.maxErrorRetries);

/** Probes ListBucket, GetObject and (when exports are enabled) PutObject. */
export async function checkSource(input: ProbeInput): Promise<CheckResult> {
  return activitiesFor(input).checkSource(input.source);
}

/** Lists one page of a source; the CLI runs one such workflow per page. */
export async function exploreSource(input: ProbeInput & { request: ExploreRequest }): Promise<ExplorePage> {
  return activitiesFor(input).exploreSource(input.source, input.request);
}

/** Previews one object. */
export async function previewSource(input: ProbeInput & { path: string; limit: number }): Promise<PreviewResult> {
  return activitiesFor(input).previewSource(input.source, input.path, input.limit);
}

/** What a run of sync job `job` would copy (`sync JOB --dry-run`): lists and decides, writes nothing. */
export async function syncDryRun(input: ProbeInput & { job: string; now: number }): Promise<SyncDryRun> {
  return probeActivities(input.maxErrorRetries, true).syncDryRun(input.job, input.now);
}
