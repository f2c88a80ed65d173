/**
 * Activities at the end of a table sync run. `commitTableSync` commits the run's pages as one
 * transaction whose record carries the table cursor (the last version landed), so the rows and
 * the cursor become visible together or not at all; a run with nothing new commits nothing.
 * `abortTableSync` runs when a run fails or is cancelled and removes what it wrote, with the
 * cleanup of sync runs (syncs/run-blobs.ts).
 */
import { Dataset } from '../datasets/dataset';
import { fromJsonLines } from '../datasets/jsonl';
import type { FileEntry, TransactionRecord } from '../datasets/types';
import type { JobDeps } from '../jobs/deps';
import { tableSyncJob } from '../jobs/job';
import { removeRunBlobs, type RunBlobs } from '../syncs/run-blobs';
import { tableRunPaths } from './run-files';
import { tableCursorOf } from './table-cursor';
import type { TableSyncPlan } from './table-plan';

/** Input of commitTableSync and abortTableSync. */
export interface TableSyncRunInput {
  job: string;
  runKey: string;
}

/** The committed transaction (none when there was nothing new), with what it holds. */
export interface TableSyncCommit {
  transaction?: number;
  type?: TransactionRecord['type'];
  files: number;
  bytes: number;
  rows: number;
}

/** Another run of the job moved its cursor after this run planned: committing would land rows twice. Not retried. */
export class CursorMovedError extends Error {
  override readonly name = 'CursorMovedError';
}

/** Commits the run. Idempotent: a retry after a lost reply finds its own record. */
export async function commitTableSync(deps: JobDeps, input: TableSyncRunInput): Promise<TableSyncCommit> {
  const job = tableSyncJob(deps.config, input.job);
  const paths = tableRunPaths(job.dataset, job.name, input.runKey);
  const dataset = new Dataset(deps.store, job.dataset);
  const records = await dataset.transactions();
  const mine = records.find((r) => r.runKey === input.runKey);
  if (mine) {
    await deps.store.remove(paths.staging);
    return { transaction: mine.id, type: mine.type, files: mine.fileCount, bytes: mine.bytes, rows: await rowsOf(dataset, mine) };
  }
  const summary = await deps.store.read(paths.summary);
  if (!summary) throw new Error(`plan ${paths.summary} is missing; the run's staging folder was removed. Fix: start the job again.`);
  const plan = JSON.parse(summary.toString('utf8')) as TableSyncPlan;
  if (plan.nothingNew) {
    await deps.store.remove(paths.staging);
    return { files: 0, bytes: 0, rows: 0 };
  }
  const cursor = tableCursorOf(records, job.name)?.cursor;
  if (cursor?.version !== plan.baseVersion || cursor?.snapshotId !== plan.baseSnapshotId) {
    const landed = cursor?.snapshotId !== undefined ? `snapshot ${cursor.snapshotId}` : `version ${cursor?.version ?? '(none)'}`;
    const from = plan.baseSnapshotId !== undefined ? `snapshot ${plan.baseSnapshotId}` : plan.baseVersion ?? '(the start)';
    throw new CursorMovedError(`table sync ${job.name}: another run landed through ${landed} after this run planned from ${from}; this run commits nothing so that no row lands twice. Fix: start the job again.`);
  }
  const manifests: string[] = [];
  let files = 0;
  let bytes = 0;
  let rows = 0;
  for (let page = 1; page <= plan.pages; page++) {
    const text = await deps.store.read(paths.manifest(page));
    if (text === undefined) throw new Error(`manifest ${paths.manifest(page)} is missing; the run cannot commit. Fix: start the job again.`);
    const entries = fromJsonLines<FileEntry>(text);
    if (entries.length === 0) continue;
    manifests.push(paths.manifest(page));
    files += entries.length;
    bytes += entries.reduce((n, e) => n + e.size, 0);
    rows += entries.reduce((n, e) => n + (e.table?.rows ?? 0), 0);
  }
  const record = await dataset.commit({
    type: plan.transaction, runKey: input.runKey, job: job.name, manifests, fileCount: files, bytes,
    tableCursor: {
      job: job.name, table: job.table, ...(plan.toVersion !== undefined ? { version: plan.toVersion } : {}), ...(plan.tableId ? { tableId: plan.tableId } : {}),
      ...(plan.toSnapshotId !== undefined ? { snapshotId: plan.toSnapshotId } : {}),
    },
  });
  await deps.store.remove(paths.staging);
  return { transaction: record.id, type: record.type, files, bytes, rows };
}

/** The rows of a committed table sync transaction, from its entries. */
async function rowsOf(dataset: Dataset, record: TransactionRecord): Promise<number> {
  return (await dataset.transactionFiles(record)).reduce((n, e) => n + (e.table?.rows ?? 0), 0);
}

/** What abortTableSync did. */
export interface TableSyncAbort {
  /** A transaction of the run was committed after all: nothing it references was removed. */
  committed: boolean;
  blobs?: RunBlobs;
}

/**
 * Removes what a failed or cancelled run wrote, unless a transaction of the run was committed
 * after all (a commit whose reply was lost): its Parquet blobs (those its progress files and
 * manifest parts list), its manifest parts and its staging. Idempotent.
 */
export async function abortTableSync(deps: JobDeps, input: TableSyncRunInput): Promise<TableSyncAbort> {
  const job = tableSyncJob(deps.config, input.job);
  const paths = tableRunPaths(job.dataset, job.name, input.runKey);
  const records = await new Dataset(deps.store, job.dataset).transactions();
  const committed = records.some((r) => r.runKey === input.runKey);
  const result: TableSyncAbort = { committed };
  if (!committed) {
    result.blobs = await removeRunBlobs(deps.store, job.dataset, input.runKey, records, paths);
    await deps.store.remove(paths.manifests);
  }
  await deps.store.remove(paths.staging);
  return result;
}
