/**
 * Planning a table sync run of an Iceberg table (table-plan.ts calls it). The cursor is the last
 * snapshot landed (its 64-bit id as exact decimal text, in the transaction record):
 * - first run (no cursor): the current snapshot, to land as a SNAPSHOT;
 * - later runs: the range from the cursor to the current snapshot (tables/iceberg/incremental.ts):
 *   the data files its append snapshots added, to land as one APPEND; replace (compaction)
 *   snapshots are passed; an overwrite or delete snapshot refuses the run, naming it and its
 *   operation, before anything is planned; so does a cursor that is no longer an ancestor of the
 *   current snapshot (a rollback, or the table replaced). Nothing new (no snapshot, or only
 *   replaces, after the cursor): nothing is landed and the cursor stays.
 * A catalog table (identifier:) is resolved through its source's catalog first, at every run.
 */
import type { TableCursor } from '../datasets/types';
import type { TableSyncJob } from '../jobs/job';
import { currentMetadataKey, openIcebergTable, readMetadataFile } from '../tables/iceberg';
import { addedDataFiles, appendRange, IcebergNotAnAppendError } from '../tables/iceberg/incremental';
import { IcebergSnapshotNotFoundError, IcebergTableError } from '../tables/iceberg/errors';
import { resolveTable, type OpenedTable } from '../tables/registry-ops';
import type { PageWriter } from './plan-pages';
import type { TableSyncPlan } from './table-plan';

/** A snapshot after the cursor is not an append, or the cursor's snapshot left the table's history. Not retried. */
export class IcebergSyncRefusedError extends IcebergTableError {
  override readonly name = 'IcebergSyncRefusedError';
}

const anew = (job: TableSyncJob) => `Fix: land the table anew into a new dataset (point tableSyncs.${job.name}.dataset at a new name: its first run lands the whole current snapshot)`;

/** Plans the run of `job` on Iceberg table `table` from cursor `base`; data files go to `pages`. */
export async function planIceberg(job: TableSyncJob, opened: OpenedTable, base: TableCursor | undefined, pages: PageWriter): Promise<TableSyncPlan> {
  // A catalog table (identifier:): its catalog names its folder and current metadata file.
  const table = await resolveTable(opened);
  const metadataKey = table.metadataKey ?? await currentMetadataKey(table.storage);
  const metadata = await readMetadataFile(table.storage, metadataKey);
  const current = metadata.currentSnapshotId;
  const tableId = metadata.tableUuid;
  if (base?.tableId !== undefined && tableId !== undefined && base.tableId !== tableId) {
    throw new IcebergSyncRefusedError(`table ${job.table}: its table-uuid is now ${tableId}, not ${base.tableId} as when snapshot ${base.snapshotId ?? '(none)'} was landed: the table was replaced. ${anew(job)}.`);
  }
  if (base?.snapshotId === undefined) {
    const reader = await openIcebergTable(table.storage, { metadataKey });
    const description = await reader.describe();
    return {
      table: job.table, format: 'iceberg', transaction: 'SNAPSHOT', nothingNew: false, commits: 0, pages: 1,
      ...(current !== undefined ? { toSnapshotId: String(current) } : {}), ...(tableId !== undefined ? { tableId } : {}),
      files: description.fileCount, bytes: description.bytes,
    };
  }
  const summary = { table: job.table, format: 'iceberg' as const, transaction: 'APPEND' as const, baseSnapshotId: base.snapshotId, ...(tableId !== undefined ? { tableId } : {}) };
  const nothing = { ...summary, nothingNew: true, commits: 0, pages: 0, files: 0, bytes: 0 };
  const since = BigInt(base.snapshotId);
  if (current === since) return nothing;
  if (current === undefined) throw new IcebergSyncRefusedError(`table ${job.table} has no current snapshot, but this job landed snapshot ${since}: the table was emptied or replaced. ${anew(job)}.`);
  let range: ReturnType<typeof appendRange>;
  try {
    range = appendRange(metadata, since, current, `table ${job.table}`);
  } catch (err) {
    if (err instanceof IcebergNotAnAppendError) {
      throw new IcebergSyncRefusedError(`${err.message}; a table sync lands appends only, so this run landed nothing. ${anew(job)}; or read the appends before it with \`s3-connector tables read ${job.table} --since ${since}\` and --until the snapshot before ${err.snapshotId}.`);
    }
    if (err instanceof IcebergSnapshotNotFoundError) {
      throw new IcebergSyncRefusedError(`table ${job.table}: snapshot ${since}, the last this job landed, is no longer an ancestor of the current snapshot ${current} (the table was rolled back or replaced, or the snapshot expired): the appends since cannot be told. ${anew(job)}. (${err.message})`);
    }
    throw err;
  }
  for (const snapshot of range.appends) {
    for (const file of await addedDataFiles(table.storage, snapshot)) {
      await pages.add({ key: file.key, size: file.size, modificationTime: snapshot.timestampMs, snapshotId: String(snapshot.snapshotId) });
    }
  }
  await pages.flush();
  // Only replaces after the cursor: no row to land; the cursor stays, and the next run walks past them again.
  if (pages.files === 0) return nothing;
  return { ...summary, nothingNew: false, toSnapshotId: String(current), commits: range.snapshots, pages: pages.pages, files: pages.files, bytes: pages.bytes };
}
