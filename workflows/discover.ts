/**
 * `tables discover SOURCE [PATH]` as a short workflow: the walk (bounded delimiter listings) runs
 * in one activity on a worker, which holds the source's credentials; the workflow carries the
 * source's name and the walk's limits in, and the folders found (names, formats, counts) out.
 */
import type { DiscoverRequest, DiscoverResult } from '../activities';
import { probeActivities, type ProbeInput } from './probes';

/** Finds the tables below a folder of a source. */
export async function discoverTables(input: ProbeInput & { request: DiscoverRequest }): Promise<DiscoverResult> {
  // A walk of many folders takes a while: the activity heartbeats, with the longer timeout of table reads.
  return probeActivities(input.maxErrorRetries, true).tablesDiscover(input.source, input.request);
}
