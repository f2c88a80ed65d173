/**
 * `export JOB --dry-run`: what a run would export, decided as planExport decides it (the
 * dataset's view, or for an incremental export the transactions after the recorded
 * exportedThrough), writing nothing: neither to the target nor to the dataset store.
 */
import { openDataset, viewEntries } from '../datasets/catalog';
import type { JobDeps } from '../jobs/deps';
import { exportJob } from '../jobs/job';
import { readExportState } from './plan';
import { exportKey, keyRewritesPath, targetUrl } from './target';

/** What a run of the export would do now. */
export interface ExportDryRun {
  job: string;
  mode: 'full' | 'incremental';
  dataset: string;
  target: string;
  /** Transactions after this id would be exported (0: from the first). */
  fromTransaction: number;
  throughTransaction: number;
  files: number;
  bytes: number;
  firstFiles: Array<{ path: string; key: string; size: number }>;
  /**
   * Paths with an empty segment (`/a.txt`, `a//b`), written under a key without it: a run checks
   * that no two files then share a key, and refuses before writing when they do.
   */
  rewrittenPaths: number;
}

/** Decides what a run of export job `name` would export, without writing. */
export async function dryRunExport(deps: Pick<JobDeps, 'config' | 'store'>, name: string, sample = 20): Promise<ExportDryRun> {
  const job = exportJob(deps.config, name);
  const dataset = await openDataset(deps.store, job.dataset);
  const records = await dataset.transactions();
  const target = targetUrl(job);
  const state = job.mode === 'incremental' ? await readExportState(deps, job.dataset, job.name) : undefined;
  const from = state && state.target === target ? state.exportedThrough : 0;
  const result: ExportDryRun = {
    job: name, mode: job.mode, dataset: job.dataset, target, fromTransaction: from, throughTransaction: records.at(-1)?.id ?? 0,
    files: 0, bytes: 0, firstFiles: [], rewrittenPaths: 0,
  };
  const pending = records.filter((r) => r.id > from);
  if (pending.length === 0) return result;
  for await (const batch of viewEntries(dataset, pending)) {
    for (const e of batch) {
      result.files += 1;
      result.bytes += e.size;
      if (keyRewritesPath(e.path)) result.rewrittenPaths += 1;
      if (result.firstFiles.length < sample) result.firstFiles.push({ path: e.path, key: exportKey(job.keyPrefix, e.path), size: e.size });
    }
  }
  return result;
}
