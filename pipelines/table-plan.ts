/**
 * Activity: plan a table sync run. Finds the job's cursor in the dataset's records, then:
 * - Delta, first run: the table's whole current snapshot, to land as a SNAPSHOT transaction (the
 *   dataset then holds exactly the table's rows at that version, and every later APPEND keeps it so);
 * - Delta, later runs: the files that the commits after the cursor appended (append-range.ts:
 *   anything but a pure append refuses the run, naming the version and the operation), to land
 *   as one APPEND; nothing when the table has no new version;
 * - Iceberg: the same, by snapshots (iceberg-plan.ts): the current snapshot first, then the files
 *   the append snapshots after the cursor added;
 * - Parquet and Avro tables (no versions): their current rows, as a SNAPSHOT, every run.
 * The files to read go to plan pages (JSON lines, FILES_PER_PAGE each) in the run's staging, and
 * a summary last, so a retried plan finds a complete one and returns it unchanged. The workflow
 * gets the summary: counts and versions, never file lists.
 */
import { Dataset } from '../datasets/dataset';
import { fromJsonLines } from '../datasets/jsonl';
import type { TableCursor } from '../datasets/types';
import type { JobDeps } from '../jobs/deps';
import { tableSyncJob, type TableSyncJob } from '../jobs/job';
import { openDeltaSnapshot, DeltaTableError } from '../tables/delta';
import { keyOfLogPath } from '../tables/delta/paths';
import { typedPartitionValues } from '../tables/delta/partition-values';
import { openTableReader } from '../tables/readers';
import { openTable, type OpenedTable } from '../tables/registry-ops';
import { appendedFiles, listFrom } from './append-range';
import { planIceberg } from './iceberg-plan';
import { PageWriter } from './plan-pages';
import { storeValues, type PlannedFile } from './planned-file';
import { tableRunPaths } from './run-files';
import { tableCursorOf } from './table-cursor';

export { FILES_PER_PAGE } from './plan-pages';

/** Input of tableSyncPlan. */
export interface TableSyncPlanInput {
  job: string;
  runKey: string;
}

/** What a run will land: counts and versions only. */
export interface TableSyncPlan {
  table: string;
  format: TableSyncJob['format'];
  transaction: 'SNAPSHOT' | 'APPEND';
  /** Nothing to land: the table has no version after the cursor. */
  nothingNew: boolean;
  /** The cursor the run starts from (Delta, after a first run). */
  baseVersion?: number;
  /** Iceberg: the snapshot the run starts after (the cursor, exact decimal text), and the last one it lands (the current snapshot). */
  baseSnapshotId?: string;
  toSnapshotId?: string;
  /** Delta: the first version landed (the snapshot's for a first run) and the last. */
  fromVersion?: number;
  toVersion?: number;
  /** Delta: the table's id (metaData id); Iceberg: its table-uuid. */
  tableId?: string;
  /** Commits (Delta) or snapshots (Iceberg) read; 0 for snapshots of tables without versions. */
  commits: number;
  pages: number;
  /** Data files to read and their bytes. */
  files: number;
  bytes: number;
}

/** Plans the run (see above). Idempotent: a complete plan of the run is returned as it was. */
export async function planTableSync(deps: JobDeps, input: TableSyncPlanInput): Promise<TableSyncPlan> {
  const job = tableSyncJob(deps.config, input.job);
  const paths = tableRunPaths(job.dataset, job.name, input.runKey);
  const existing = await deps.store.read(paths.summary);
  if (existing) return JSON.parse(existing.toString('utf8')) as TableSyncPlan;
  const table = openTable(deps.config, deps.sources, job.table);
  const records = await new Dataset(deps.store, job.dataset).transactions();
  const base = tableCursorOf(records, job.name)?.cursor;
  const plan = job.format === 'delta' ? await planDelta(deps, job, table, base, paths)
    : job.format === 'iceberg' ? await planIceberg(job, table, base, new PageWriter(deps, paths)) : await planFolder(job, table);
  await deps.store.write(paths.summary, JSON.stringify(plan));
  return plan;
}

/** A Parquet or Avro table: one page, every file, read by the table's own scan. */
async function planFolder(job: TableSyncJob, table: OpenedTable): Promise<TableSyncPlan> {
  const description = await (await openTableReader(job.format, table.storage)).describe();
  return {
    table: job.table, format: job.format, transaction: 'SNAPSHOT', nothingNew: false, commits: 0,
    pages: 1, files: description.fileCount, bytes: description.bytes,
  };
}

/** A Delta table: its snapshot on the first run, the appends after the cursor on later ones. */
async function planDelta(deps: JobDeps, job: TableSyncJob, table: OpenedTable, base: TableCursor | undefined, paths: ReturnType<typeof tableRunPaths>): Promise<TableSyncPlan> {
  const pages = new PageWriter(deps, paths);
  if (base?.version === undefined) {
    const snapshot = await openDeltaSnapshot(table.storage);
    for await (const batch of snapshot.files()) {
      for (const f of batch) {
        await pages.add({
          key: f.key, size: f.size, modificationTime: f.modificationTime, version: snapshot.version,
          partitionValues: storeValues(f.partitionValues), ...(f.deletionVector ? { deletionVector: f.deletionVector } : {}),
        });
      }
    }
    await pages.flush();
    return {
      table: job.table, format: 'delta', transaction: 'SNAPSHOT', nothingNew: false, fromVersion: snapshot.version, toVersion: snapshot.version,
      tableId: snapshot.metadata.id, commits: 0, pages: pages.pages, files: pages.files, bytes: pages.bytes,
    };
  }
  const from = base.version + 1;
  // Listed from the landed version on (its commit included), so a table with nothing new costs one short listing.
  const { listing, latest } = await listFrom(table.storage, base.version);
  if (latest < base.version) {
    throw new DeltaTableError(`table ${job.table}: its latest version is ${latest}, but this job already landed version ${base.version}: the table was replaced. Fix: land it anew into a new dataset (point tableSyncs.${job.name}.dataset at a new name).`);
  }
  const summary = { table: job.table, format: 'delta' as const, transaction: 'APPEND' as const, baseVersion: base.version };
  if (latest === base.version) return { ...summary, nothingNew: true, tableId: base.tableId, commits: 0, pages: 0, files: 0, bytes: 0 };
  const end = await openDeltaSnapshot(table.storage, { version: latest });
  if (base.tableId && end.metadata.id !== base.tableId) {
    throw new DeltaTableError(`table ${job.table}: its id is now ${end.metadata.id}, not ${base.tableId} as when version ${base.version} was landed: the table was replaced. Fix: land it anew into a new dataset (point tableSyncs.${job.name}.dataset at a new name).`);
  }
  for (const { version, adds } of await appendedFiles(table.storage, job.table, listing, from, latest)) {
    for (const add of adds) {
      await pages.add({
        key: keyOfLogPath(table.storage, add.path), size: add.size, modificationTime: add.modificationTime, version,
        partitionValues: storeValues(typedPartitionValues(add.partitionValues, end.partitionFields)),
        ...(add.deletionVector ? { deletionVector: add.deletionVector } : {}),
      });
    }
  }
  await pages.flush();
  return {
    ...summary, nothingNew: false, fromVersion: from, toVersion: latest, tableId: end.metadata.id, commits: latest - base.version,
    pages: pages.pages, files: pages.files, bytes: pages.bytes,
  };
}

/** The files of plan page `page` of a Delta run. */
export async function readPlanPage(deps: JobDeps, paths: ReturnType<typeof tableRunPaths>, page: number): Promise<PlannedFile[]> {
  const text = await deps.store.read(paths.plan(page));
  if (text === undefined) throw new Error(`plan ${paths.plan(page)} is missing; the run's staging folder was removed. Fix: start the job again.`);
  return fromJsonLines<PlannedFile>(text);
}
