/**
 * Writing a table sync page of an Iceberg table (write-page.ts calls it): a SNAPSHOT run's one
 * page is the whole scan of the snapshot planned (deletes applied), cut at its data files; an
 * APPEND run's pages list the data files the append snapshots added, each read whole (appended
 * files have no deletes: tables/iceberg/incremental.ts). Both read under the schema of the run's
 * last snapshot, pinned by id, so a commit to the table during the run changes nothing it writes.
 */
import type { FileEntry } from '../datasets/types';
import type { JobDeps } from '../jobs/deps';
import type { PageRun } from '../jobs/page-activity';
import { openIcebergTable } from '../tables/iceberg';
import { openIcebergAppends } from '../tables/iceberg/incremental';
import { IcebergTableError } from '../tables/iceberg/errors';
import type { OpenedTable } from '../tables/registry-ops';
import type { TableRow, TableRowBatch, TableSchema } from '../tables/table-reader';
import type { PlannedFile } from './planned-file';
import { byFile } from './row-chunks';
import type { tableRunPaths } from './run-files';
import { readPlanPage, type TableSyncPlan } from './table-plan';

/** A data file to write, with its rows (write-page.ts's writer). */
export interface IcebergSourceFile {
  key: string;
  size: number;
  modificationTime: number;
  snapshotId: string;
  rows: AsyncIterable<TableRow[]>;
}

async function* rowsOf(batches: AsyncIterable<TableRowBatch>): AsyncGenerator<TableRow[]> {
  for await (const batch of batches) yield batch.rows;
}

/** Writes page `page` of an Iceberg run through `write` (`table` resolved: a catalog table's folder and metadata known); files in `doneFiles` (an earlier attempt's) are passed. */
export async function writeIcebergPage(deps: JobDeps, table: OpenedTable, plan: TableSyncPlan, paths: ReturnType<typeof tableRunPaths>, page: number,
  run: PageRun<FileEntry>, doneFiles: Set<string | undefined>, write: (file: IcebergSourceFile, schema: TableSchema) => Promise<void>): Promise<void> {
  const to = plan.toSnapshotId;
  if (to === undefined) return; // a table without a snapshot: no rows
  if (plan.transaction === 'SNAPSHOT') {
    const reader = await openIcebergTable(table.storage, { snapshotId: BigInt(to), metadataKey: table.metadataKey });
    const sizes = new Map((await reader.files()).map((f) => [f.key, f.size]));
    const time = reader.snapshot?.timestampMs ?? 0;
    for await (const { file, batches } of byFile(reader.scan())) {
      if (doneFiles.has(file)) continue;
      await write({ key: file, size: sizes.get(file) ?? 0, modificationTime: time, snapshotId: to, rows: batches }, reader.schema);
    }
    return;
  }
  if (plan.baseSnapshotId === undefined) throw new IcebergTableError(`the plan of an APPEND of table ${plan.table} has no base snapshot; start the job again`);
  const appends = await openIcebergAppends(table.storage, { since: BigInt(plan.baseSnapshotId), until: BigInt(to), metadataKey: table.metadataKey });
  const byKey = new Map((await appends.files()).map(({ file }) => [file.key, file]));
  const files = (await readPlanPage(deps, paths, page)).filter((f) => !doneFiles.has(f.key));
  await run.each(files, async (planned: PlannedFile) => {
    const file = byKey.get(planned.key);
    if (!file) throw new IcebergTableError(`table ${plan.table}: data file ${planned.key}, planned from snapshot ${planned.snapshotId}, is not among the files appended after snapshot ${plan.baseSnapshotId} up to ${to}; start the job again`);
    await write({ key: planned.key, size: planned.size, modificationTime: planned.modificationTime, snapshotId: planned.snapshotId ?? to, rows: rowsOf(appends.scanFile(file)) }, appends.schema);
  });
}
