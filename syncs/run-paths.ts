/**
 * Where a sync run keeps its staging files inside the dataset store. Names are derived from
 * (dataset, runKey, page) alone, so the workflow passes page numbers, never paths or lists.
 */

const pad = (page: number) => String(page).padStart(6, '0');

/** Store paths of one run. */
export function runPaths(dataset: string, job: string, runKey: string) {
  return {
    /** Staging folder, removed after the commit. */
    staging: `${dataset}/runs/${runKey}`,
    plan: (page: number) => `${dataset}/runs/${runKey}/plan-${pad(page)}.json`,
    progress: (page: number) => `${dataset}/runs/${runKey}/progress-${pad(page)}.jsonl`,
    /** Every skipped object and why, one JSON line each; kept after the commit as the run's report. */
    skipped: (page: number) => `${dataset}/reports/${runKey}/skipped-${pad(page)}.jsonl`,
    /** The run's manifest parts, referenced by its transaction. */
    manifests: `${dataset}/manifests/${runKey}`,
    manifest: (page: number) => `${dataset}/manifests/${runKey}/part-${pad(page)}.jsonl`,
    /** The run's index parts (incremental jobs), referenced by its transaction. */
    indexParts: `${dataset}/index/${job}/${runKey}`,
    index: (page: number) => `${dataset}/index/${job}/${runKey}/part-${pad(page)}.jsonl`,
    blobs: `${dataset}/blobs`,
  };
}
