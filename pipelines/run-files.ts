/**
 * Where a table sync run keeps its files in the dataset store: the staging, manifests and blobs
 * of a sync run (syncs/run-paths.ts, so that the sync's cleanup serves it unchanged), plus the
 * run's plan summary.
 */
import { runPaths } from '../syncs/run-paths';

/** Store paths of one table sync run. */
export function tableRunPaths(dataset: string, job: string, runKey: string) {
  const paths = runPaths(dataset, job, runKey);
  return {
    ...paths,
    /** The plan's summary, written after its pages: its presence means the plan is complete. */
    summary: `${paths.staging}/table-plan.json`,
  };
}
