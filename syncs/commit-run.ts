/**
 * Activities at the edges of a run: `startRun` finds the job's incremental base; `commitRun`
 * commits the run's pages as one dataset transaction (or none when there is nothing new), then
 * removes the staging files; `abortRun` runs when a run fails or is cancelled, removing what the
 * run wrote that no transaction will ever reference, its blobs included.
 */
import { Dataset } from '../datasets/dataset';
import { fromJsonLines } from '../datasets/jsonl';
import { SETTLED_REASON } from '../media/media-set';
import type { TransactionRecord } from '../datasets/types';
import { removeRunBlobs, type RunBlobs } from './run-blobs';
import { runPaths } from './run-paths';
import type { JobDeps } from '../jobs/deps';
import { syncJob } from '../jobs/job';

/** Where an incremental run starts from. */
export interface RunStart {
  baseTransaction?: number;
}

/** Finds the newest transaction holding this job's index. */
export async function startRun(deps: JobDeps, name: string): Promise<RunStart> {
  const job = syncJob(deps.config, name);
  const records = await new Dataset(deps.store, job.dataset).transactions();
  const base = records.filter((r) => r.index?.job === name).at(-1);
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
export async function commitRun(deps: JobDeps, input: CommitInput): Promise<CommitResult> {
  const job = syncJob(deps.config, input.job);
  const paths = runPaths(job.dataset, job.name, input.runKey);
  const dataset = new Dataset(deps.store, job.dataset);
  const pages = Array.from({ length: input.pages }, (_, i) => i + 1);
  let result: CommitResult = {};
  // An incremental run with nothing new changes nothing: no empty transaction is committed.
  // A media run that only rejected or deduplicated objects commits an empty one, to save the
  // index that keeps them from being fetched again.
  if (!job.incremental || input.files > 0 || (job.mode === 'media' && await settledSkips(deps, paths, pages))) {
    const manifests = [];
    for (const page of pages) {
      const text = await deps.store.read(paths.manifest(page));
      if (text === undefined) throw new Error(`manifest ${paths.manifest(page)} is missing; the run cannot commit. Fix: start the job again.`);
      if (fromJsonLines(text).length > 0) manifests.push(paths.manifest(page));
    }
    const record = await dataset.commit({
      type: job.transaction, runKey: input.runKey, job: job.name, manifests, fileCount: input.files, bytes: input.bytes,
      index: job.incremental ? { job: job.name, parts: pages.map((p) => paths.index(p)) } : undefined,
    });
    result = { transaction: record.id, type: record.type };
  }
  await deps.store.remove(paths.staging);
  return result;
}

/** Whether a media run's reports hold objects its index settles (rejected or duplicate). */
async function settledSkips(deps: JobDeps, paths: ReturnType<typeof runPaths>, pages: number[]): Promise<boolean> {
  for (const page of pages) {
    const text = await deps.store.read(paths.skipped(page));
    if (text && fromJsonLines<{ reason: string }>(text).some((s) => SETTLED_REASON.test(s.reason))) return true;
  }
  return false;
}

/** Input of abortRun. */
export interface AbortRunInput {
  job: string;
  runKey: string;
}

/** What abortRun did. */
export interface AbortRunResult {
  /** A transaction of the run was committed after all: nothing it references was removed. */
  committed: boolean;
  /** Uncommitted runs: the run's blobs removed, and those kept because something else may reference them (run-blobs.ts). */
  blobs?: RunBlobs;
}

/**
 * Removes what a failed or cancelled run wrote that no transaction will ever reference: its
 * blobs that nothing else references (run-blobs.ts: a content-addressed blob may be shared with
 * committed files or with another run in progress, and then stays), its manifest and index
 * parts, and its staging files; all of it stays if a transaction of the run was committed after
 * all (a commit whose reply was lost). The skip reports stay, as the record of what the run saw.
 * Idempotent.
 */
export async function abortRun(deps: JobDeps, input: AbortRunInput): Promise<AbortRunResult> {
  const job = syncJob(deps.config, input.job);
  const paths = runPaths(job.dataset, job.name, input.runKey);
  const records = await new Dataset(deps.store, job.dataset).transactions();
  const committed = records.some((r) => r.runKey === input.runKey);
  const result: AbortRunResult = { committed };
  if (!committed) {
    // The blobs first: the progress files and manifests say which ones the run wrote.
    result.blobs = await removeRunBlobs(deps.store, job.dataset, input.runKey, records, paths);
    await deps.store.remove(paths.manifests);
    await deps.store.remove(paths.indexParts);
  }
  await deps.store.remove(paths.staging);
  return result;
}
