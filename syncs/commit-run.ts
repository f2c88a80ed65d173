/**
 * Activities at the edges of a run: `startRun` finds the job's incremental base, and
 * `commitRun` commits the run's pages as one dataset transaction (or none when there is
 * nothing new), then removes the staging files.
 */
import { Dataset } from '../datasets/dataset';
import { fromJsonLines } from '../datasets/jsonl';
import { SETTLED_REASON } from '../media/media-set';
import type { TransactionRecord } from '../datasets/types';
import { syncSpec } from './job';
import { runPaths } from './run-paths';
import type { SyncDeps } from './deps';

/** Where an incremental run starts from. */
export interface RunStart {
  baseTransaction?: number;
}

/** Finds the newest transaction holding this job's index. */
export async function startRun(deps: SyncDeps, job: string): Promise<RunStart> {
  const spec = syncSpec(deps.config, job);
  const records = await new Dataset(deps.store, spec.dataset).transactions();
  const base = records.filter((r) => r.index?.job === job).at(-1);
  return { baseTransaction: base?.id };
}

/** Input of commitRun: the run and how many pages it copied. */
export interface CommitInput {
  job: string;
  runKey: string;
  pages: number;
  files: number;
  bytes: number;
}

/** The committed transaction, or none. */
export interface CommitResult {
  transaction?: number;
  type?: TransactionRecord['type'];
}

/** Commits the run. Idempotent: a retry after a lost reply finds its own record. */
export async function commitRun(deps: SyncDeps, input: CommitInput): Promise<CommitResult> {
  const spec = syncSpec(deps.config, input.job);
  const paths = runPaths(spec.dataset, spec.job, input.runKey);
  const dataset = new Dataset(deps.store, spec.dataset);
  const pages = Array.from({ length: input.pages }, (_, i) => i + 1);
  const incremental = spec.mode !== 'bulk' && spec.transaction !== 'SNAPSHOT';
  let result: CommitResult = {};
  // An incremental run with nothing new changes nothing: no empty transaction is committed.
  // A media run that only rejected or deduplicated objects commits an empty one, to save the
  // index that keeps them from being fetched again.
  if (!incremental || input.files > 0 || (spec.mode === 'media' && await settledSkips(deps, paths, pages))) {
    const manifests = [];
    for (const page of pages) {
      const text = await deps.store.read(paths.manifest(page));
      if (text === undefined) throw new Error(`manifest ${paths.manifest(page)} is missing; the run cannot commit. Fix: start the job again.`);
      if (fromJsonLines(text).length > 0) manifests.push(paths.manifest(page));
    }
    const record = await dataset.commit({
      type: spec.transaction, runKey: input.runKey, job: spec.job, manifests, fileCount: input.files, bytes: input.bytes,
      index: incremental ? { job: spec.job, parts: pages.map((p) => paths.index(p)) } : undefined,
    });
    result = { transaction: record.id, type: record.type };
  }
  await deps.store.remove(paths.staging);
  return result;
}

/** Whether a media run's reports hold objects its index settles (rejected or duplicate). */
async function settledSkips(deps: SyncDeps, paths: ReturnType<typeof runPaths>, pages: number[]): Promise<boolean> {
  for (const page of pages) {
    const text = await deps.store.read(paths.skipped(page));
    if (text && fromJsonLines<{ reason: string }>(text).some((s) => SETTLED_REASON.test(s.reason))) return true;
  }
  return false;
}
