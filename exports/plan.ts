/**
 * Activity: decide what a run exports and store it as plan pages in the run's staging folder.
 * mode full: the dataset's current view. mode incremental: the files of transactions after the
 * job's recorded `exportedThrough` (replayed like a view, so a path changed twice goes once).
 * The workflow gets counts back, never paths.
 */
import { openDataset, viewEntries, type ViewEntry } from '../datasets/catalog';
import type { JobDeps } from '../jobs/deps';
import { exportJob } from '../jobs/job';
import { targetUrl } from './target';
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
}

/** One planned file. */
export type PlannedFile = Pick<ViewEntry, 'path' | 'size' | 'sha256' | 'blob' | 'transaction'>;

/** Reads the job's export state; undefined before its first successful run. */
export async function readExportState(deps: JobDeps, dataset: string, job: string): Promise<ExportState | undefined> {
  const text = await deps.store.read(exportPaths(dataset, job, '-').state);
  return text ? JSON.parse(text.toString('utf8')) as ExportState : undefined;
}

/** Plans the run. Idempotent: a retry rewrites the same pages. */
export async function planExport(deps: JobDeps, input: ExportPlanInput): Promise<ExportPlan> {
  const job = exportJob(deps.config, input.job);
  const paths = exportPaths(job.dataset, job.name, input.runKey);
  const dataset = await openDataset(deps.store, job.dataset);
  const records = await dataset.transactions();
  const target = targetUrl(job);
  const state = job.mode === 'incremental' ? await readExportState(deps, job.dataset, job.name) : undefined;
  const from = state && state.target === target ? state.exportedThrough : 0;
  const through = records.at(-1)?.id ?? 0;
  const plan: ExportPlan = { mode: job.mode, pages: 0, files: 0, bytes: 0, target, fromTransaction: from, throughTransaction: through };
  const pending = records.filter((r) => r.id > from);
  if (pending.length === 0) return plan;
  let page: PlannedFile[] = [];
  const flush = async () => {
    plan.pages += 1;
    await deps.store.write(paths.plan(plan.pages), JSON.stringify(page));
    page = [];
  };
  for await (const batch of viewEntries(dataset, pending)) {
    for (const e of batch) {
      page.push({ path: e.path, size: e.size, sha256: e.sha256, blob: e.blob, transaction: e.transaction });
      plan.files += 1;
      plan.bytes += e.size;
      if (page.length >= PLAN_PAGE_SIZE) await flush();
    }
  }
  if (page.length > 0) await flush();
  return plan;
}
