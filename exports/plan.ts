/**
 * Activity: decide what a run exports and store it as plan pages in the run's staging folder.
 * mode full: the dataset's current view. mode incremental: the files of transactions after the
 * job's recorded `exportedThrough` (replayed like a view, so a path changed twice goes once).
 * The workflow gets counts back, never paths.
 *
 * Two dataset paths that differ only in empty segments (`/a.txt` and `a.txt`, `a//b` and `a/b`)
 * get one target key (exportKey); such a run is refused here, before anything is written to the
 * target, naming the paths. Each plan page is sorted by key, and when some path of the view has
 * an empty segment (no other path can collide) the pages are merge-walked in key order
 * (key-collisions.ts): bounded memory, whatever the size of the view.
 */
import type { Dataset } from '../datasets/dataset';
import { openDataset, viewEntries, type ViewEntry } from '../datasets/catalog';
import type { TransactionRecord } from '../datasets/types';
import type { JobDeps } from '../jobs/deps';
import { exportJob, type ExportJob } from '../jobs/job';
import { CHUNK_KEYS, compareKeyItems, findKeyCollisions, type KeyItem, type KeyRun } from './key-collisions';
import { exportKey, keyRewritesPath, targetUrl } from './target';
import { exportPaths, type ExportState } from './paths';

/** Files per plan page, hence per upload activity. */
export const PLAN_PAGE_SIZE = 1000;

/** Input of planExport. */
export interface ExportPlanInput {
  job: string;
  runKey: string;
}

/** What a run will export. */
export interface ExportPlan {
  mode: 'full' | 'incremental';
  pages: number;
  files: number;
  bytes: number;
  target: string;
  /** Transactions after this id are exported (0: from the first). */
  fromTransaction: number;
  /** The newest transaction the plan covers; recorded as exportedThrough on success. */
  throughTransaction: number;
  /**
   * Whether a path of this run, or of an earlier run to the same target (incremental), has an
   * empty segment: later incremental runs then check their keys against the whole view.
   * Recorded in the job's ExportState on success.
   */
  rewrittenPaths?: boolean;
}

/** The run would write two dataset files to one key, or a file to no key; nothing was written. */
export class ExportKeyError extends Error {
  override name = 'ExportKeyError';
}

/** One planned file. */
export type PlannedFile = Pick<ViewEntry, 'path' | 'size' | 'sha256' | 'blob' | 'transaction'>;

/** Reads the job's export state; undefined before its first successful run. */
export async function readExportState(deps: Pick<JobDeps, 'store'>, dataset: string, job: string): Promise<ExportState | undefined> {
  const text = await deps.store.read(exportPaths(dataset, job, '-').state);
  return text ? JSON.parse(text.toString('utf8')) as ExportState : undefined;
}

/** Plans the run. Idempotent: a retry rewrites the same pages. @throws ExportKeyError (see the file's comment). */
export async function planExport(deps: JobDeps, input: ExportPlanInput): Promise<ExportPlan> {
  const job = exportJob(deps.config, input.job);
  const paths = exportPaths(job.dataset, job.name, input.runKey);
  const dataset = await openDataset(deps.store, job.dataset);
  const records = await dataset.transactions();
  const target = targetUrl(job);
  const state = job.mode === 'incremental' ? await readExportState(deps, job.dataset, job.name) : undefined;
  const from = state && state.target === target ? state.exportedThrough : 0;
  const through = records.at(-1)?.id ?? 0;
  // Files exported earlier to this target with an empty segment in their path may share a key with a new one.
  const earlier = from > 0 && state?.rewrittenPaths === true;
  const plan: ExportPlan = { mode: job.mode, pages: 0, files: 0, bytes: 0, target, fromTransaction: from, throughTransaction: through, rewrittenPaths: earlier };
  const pending = records.filter((r) => r.id > from);
  if (pending.length === 0) return plan;
  let page: Array<{ key: string; file: PlannedFile }> = [];
  let rewritten = 0;
  const flush = async () => {
    plan.pages += 1;
    // Sorted by key, each page is a sorted run for the collision check.
    page.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    await deps.store.write(paths.plan(plan.pages), JSON.stringify(page.map((p) => p.file)));
    page = [];
  };
  for await (const batch of viewEntries(dataset, pending)) {
    for (const e of batch) {
      const key = exportKey(job.keyPrefix, e.path);
      if (keyRewritesPath(e.path)) {
        rewritten += 1;
        if (key === job.keyPrefix) {
          throw new ExportKeyError(`export ${job.name} refused before writing anything: dataset path ${JSON.stringify(e.path)} (transaction ${e.transaction}) has no name to write below ${target}. Fix: give the file a path with a name in the dataset (rename its source object and sync again).`);
        }
      }
      page.push({ key, file: { path: e.path, size: e.size, sha256: e.sha256, blob: e.blob, transaction: e.transaction } });
      plan.files += 1;
      plan.bytes += e.size;
      if (page.length >= PLAN_PAGE_SIZE) await flush();
    }
  }
  if (page.length > 0) await flush();
  plan.rewrittenPaths = earlier || rewritten > 0;
  if (plan.rewrittenPaths) await refuseSharedKeys(deps, job, dataset, records, plan, paths);
  return plan;
}

/**
 * Walks every key of the plan, and of the rest of the view for an incremental run (files that
 * earlier runs exported and this one does not replace), in key order, and throws an
 * ExportKeyError naming the paths of keys this run would write more than once or over another
 * file of the view.
 */
async function refuseSharedKeys(deps: JobDeps, job: ExportJob, dataset: Dataset, records: readonly TransactionRecord[], plan: ExportPlan,
  paths: ReturnType<typeof exportPaths>): Promise<void> {
  const work = `${paths.staging}/key-check`;
  const planPath = paths.plan;
  const runs: KeyRun[] = Array.from({ length: plan.pages }, (_, i) => ({
    chunks: 1,
    async load() {
      const text = await deps.store.read(planPath(i + 1));
      if (!text) throw new Error(`export plan ${planPath(i + 1)} is missing from ${deps.store.location}`);
      return (JSON.parse(text.toString('utf8')) as PlannedFile[]).map((f): KeyItem => [exportKey(job.keyPrefix, f.path), f.path, 1]);
    },
  }));
  try {
    if (plan.fromTransaction > 0) {
      // The rest of the view: its files of transactions up to fromTransaction (later ones are planned).
      let chunk: KeyItem[] = [];
      const store = async () => {
        const path = `${work}/view-${String(runs.length).padStart(6, '0')}.json`;
        await deps.store.write(path, JSON.stringify(chunk.sort(compareKeyItems)));
        runs.push({ chunks: 1, load: async () => JSON.parse((await deps.store.read(path))!.toString('utf8')) as KeyItem[] });
        chunk = [];
      };
      for await (const batch of viewEntries(dataset, records)) {
        for (const e of batch) {
          if (e.transaction > plan.fromTransaction) continue;
          chunk.push([exportKey(job.keyPrefix, e.path), e.path, 0]);
          if (chunk.length >= CHUNK_KEYS) await store();
        }
      }
      if (chunk.length > 0) await store();
    }
    const found = await findKeyCollisions(deps.store, work, runs);
    if (found.keys > 0) {
      const shown = found.collisions.map((c) => `${c.paths.map((p) => JSON.stringify(p)).join(' and ')}${c.count > c.paths.length ? ` (and ${c.count - c.paths.length} more)` : ''} -> s3://${job.bucket}/${c.key}`);
      throw new ExportKeyError(`export ${job.name} refused before writing anything: ${found.keys} target key${found.keys === 1 ? '' : 's'} would receive more than one dataset file: `
        + `${shown.join('; ')}${found.keys > shown.length ? `; and ${found.keys - shown.length} more` : ''}. Keys drop the empty segments of a path (a leading or trailing "/", "//"), `
        + 'which S3-compatible stores do not agree on. Fix: give these files distinct paths in the dataset (rename their source objects and sync again).');
    }
  } finally {
    await deps.store.remove(work);
  }
}
