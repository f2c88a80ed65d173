/**
 * Short interactive workflows: check, explore (one page) and preview. They run on the worker
 * so that only the worker needs credentials.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { CheckResult, ConnectorActivities, ExplorePage, ExploreRequest, PreviewResult } from '../activities';
import { retryPolicy } from './job-activities';

/** Common input: the source and its retry budget (not a secret; from the config's maxErrorRetries). */
export interface ProbeInput {
  source: string;
  maxErrorRetries: number;
}

function activitiesFor(input: ProbeInput) {
  return proxyActivities<ConnectorActivities>({
    startToCloseTimeout: '2 minutes',
    // The only retry layer inside Temporal: S3 clients on the worker make one attempt per call.
    retry: retryPolicy(input.maxErrorRetries, '30 seconds'),
  });
}

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
