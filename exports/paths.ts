/**
 * Where an export job keeps its state inside the dataset store (docs/dataset-format.md,
 * "Exports"): the durable record of what was exported, and a run's staging files (plans,
 * progress, open multipart uploads) named from (dataset, job, runKey, page) alone.
 */
import { createHash } from 'node:crypto';

const pad = (page: number) => String(page).padStart(6, '0');

/** Store paths of export job `job` of `dataset`, and of its run `runKey`. */
export function exportPaths(dataset: string, job: string, runKey: string) {
  const base = `${dataset}/exports/${job}`;
  const staging = `${base}/runs/${runKey}`;
  return {
    /** What the job exported last (ExportState); replaced after each successful run. */
    state: `${base}/state.json`,
    /** Staging folder, removed when the run ends (committed, failed or cancelled). */
    staging,
    plan: (page: number) => `${staging}/plan-${pad(page)}.json`,
    progress: (page: number) => `${staging}/progress-${pad(page)}.jsonl`,
    /** Open multipart uploads, one file each, so that cleanup can abort them. */
    uploads: `${staging}/uploads`,
    upload: (key: string) => `${staging}/uploads/${createHash('sha256').update(key).digest('hex')}.json`,
  };
}

/** The durable record of an export job's last successful run. */
export interface ExportState {
  job: string;
  /** Every file of transactions up to this id (inclusive) has been exported to `target`. */
  exportedThrough: number;
  /** `s3://bucket/prefix/` exported to; a different target starts over from the first transaction. */
  target: string;
  runKey: string;
  completedAt: string;
  files: number;
  bytes: number;
  /** A file exported to `target` had a path with an empty segment: later runs check their keys against the whole view. */
  rewrittenPaths?: boolean;
}
