/**
 * Activity: write one plan page of a table sync run as Parquet files in the dataset's blobs. Each
 * data file of the table becomes one Parquet file, or several when it holds more than the job's
 * rowsPerFile rows, so every file (and the rows in memory: one row group) stays bounded. Rows are
 * exact (tables/values.ts) and written under the table's schema at the run's last version.
 *
 * The page activity skeleton (jobs/page-activity.ts) gives resumption: a data file's entries are
 * saved to the page's progress file once all its chunks are written, so a retried attempt (after
 * a kill -9 of the worker) skips the data files it finds there. An attempt stopped inside a data
 * file (cancelled, failed) lists that file's blobs written so far in the staging, so that the
 * run's abort removes them; after a kill -9, or when a later attempt succeeds, they are garbage
 * no record references (docs/dataset-format.md, "Garbage"). Ends by writing the page's manifest part.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { toJsonLines } from '../datasets/jsonl';
import type { FileEntry } from '../datasets/types';
import type { JobDeps } from '../jobs/deps';
import { tableSyncJob, type TableSyncJob } from '../jobs/job';
import { runPage, type PageEffort, type PageRun } from '../jobs/page-activity';
import { compareKeys } from '../syncs/key-order';
import { openDeltaSnapshot, scanDeltaFiles, type DeltaFile } from '../tables/delta';
import { openAvroTable } from '../tables/avro/table';
import { encodeParquet } from '../tables/parquet-writer';
import { openParquetTable } from '../tables/parquet/table';
import { openTable, resolveTable, type OpenedTable } from '../tables/registry-ops';
import type { StoredObject } from '../tables/storage';
import type { TableRow, TableSchema } from '../tables/table-reader';
import { writeIcebergPage } from './iceberg-write';
import { loadValues, type PlannedFile } from './planned-file';
import { byFile, RowChunker } from './row-chunks';
import { tableRunPaths } from './run-files';
import { readPlanPage, type TableSyncPlan } from './table-plan';

/** Input of tableSyncWritePage. */
export interface TableSyncWriteInput {
  job: string;
  runKey: string;
  page: number;
}

/** What a page wrote, and how hard it had to try. */
export interface TableSyncWriteResult extends PageEffort {
  page: number;
  /** Parquet files written and their bytes. */
  files: number;
  bytes: number;
  rows: number;
  /** The table's data files of the page, and their bytes. */
  sourceFiles: number;
  sourceBytes: number;
}

/** A data file to write, with its rows. */
interface SourceFile {
  key: string;
  size: number;
  modificationTime: number;
  version?: number;
  /** Iceberg: the snapshot whose rows it holds. */
  snapshotId?: string;
  rows: AsyncIterable<TableRow[]>;
}

/** Writes page `input.page` of the run. */
export async function writeTablePage(deps: JobDeps, input: TableSyncWriteInput): Promise<TableSyncWriteResult> {
  const job = tableSyncJob(deps.config, input.job);
  const paths = tableRunPaths(job.dataset, job.name, input.runKey);
  const summary = await deps.store.read(paths.summary);
  if (!summary) throw new Error(`plan ${paths.summary} is missing; the run's staging folder was removed. Fix: start the job again.`);
  const plan = JSON.parse(summary.toString('utf8')) as TableSyncPlan;
  // A catalog table's folder comes from its catalog (asked once per page), so that provenance keys are the objects' own.
  const table = await resolveTable(openTable(deps.config, deps.sources, job.table));
  const client = deps.sources.get(job.source);
  const bucketRoot = `s3://${client.bucket}/`;
  const root = table.storage.location.startsWith(bucketRoot) ? table.storage.location.slice(bucketRoot.length) : '';
  const concurrency = deps.concurrency.get(`tableSync/${job.name}`, 1); // one data file at a time: memory holds one row group
  const progress = { store: deps.store, progressPath: paths.progress(input.page), page: input.page, keyOf: (e: FileEntry) => e.path, concurrency, retries: client.config.maxErrorRetries };
  const written = await runPage(progress, async (run) => {
    const doneFiles = new Set([...run.done.values()].map((e) => e.table?.file));
    const write = async (file: SourceFile, schema: TableSchema) => {
      const entries: FileEntry[] = [];
      const chunker = new RowChunker(file.rows, job.rowsPerFile);
      try {
        // A data file without rows (all deleted, or empty) writes nothing.
        for (let chunk = 0; await chunker.hasMore(); chunk++) {
          let rows = 0;
          const counted = async function* () {
            for await (const batch of chunker.chunk()) {
              run.signal?.throwIfAborted(); // a cancelled run stops within a row group, not a whole data file
              rows += batch.length;
              run.beat();
              yield batch;
            }
          };
          const blob = await deps.store.ingest(paths.blobs, Readable.from(encodeParquet(schema, counted(), { compression: 'zstd' })), { md5: false });
          entries.push({
            path: outputPath(job, file, chunk), size: blob.size, sha256: blob.sha256, blob: blob.path, verifiedBy: 'written',
            source: { bucket: client.bucket, key: root + file.key, etag: '', size: file.size, lastModified: new Date(file.modificationTime).toISOString() },
            table: { name: job.table, ...(file.version !== undefined ? { version: file.version } : {}), ...(file.snapshotId !== undefined ? { snapshotId: file.snapshotId } : {}), file: file.key, chunk, rows },
          });
        }
      } catch (err) {
        // Stopped (cancelled, failed) inside a data file: its chunks written so far are in no
        // progress file, so list them where the run's abort finds them (syncs/run-blobs.ts).
        if (entries.length > 0) await deps.store.write(`${paths.staging}/abandoned-${String(input.page).padStart(6, '0')}-${randomUUID()}.jsonl`, toJsonLines(entries.map((e) => ({ blob: e.blob }))));
        throw err;
      }
      for (const entry of entries) run.done.set(entry.path, entry);
      run.addBytes(file.size);
      await run.save(false);
    };
    if (job.format === 'delta') await writeDeltaPage(deps, table, plan, paths, input.page, run, doneFiles, write);
    else if (job.format === 'iceberg') await writeIcebergPage(deps, table, plan, paths, input.page, run, doneFiles, write);
    else await writeFolderTable(job, table, doneFiles, write);
    return { entries: [...run.done.values()].sort((a, b) => compareKeys(a.path, b.path)), retries: run.retries };
  });
  const entries = written.entries;
  await deps.store.write(paths.manifest(input.page), toJsonLines(entries));
  const paged = job.format === 'delta' || (job.format === 'iceberg' && plan.transaction === 'APPEND');
  const sources = paged ? await readPlanPage(deps, paths, input.page) : undefined;
  return {
    page: input.page, files: entries.length, bytes: entries.reduce((n, e) => n + e.size, 0), rows: entries.reduce((n, e) => n + (e.table?.rows ?? 0), 0),
    sourceFiles: sources?.length ?? plan.files, sourceBytes: sources?.reduce((n, f) => n + f.size, 0) ?? plan.bytes,
    retries: written.retries, concurrency: concurrency.state,
  };
}

/** The dataset path of chunk `chunk` of a data file: below `v<version>/` for Delta, `s<snapshot id>/` for Iceberg (new paths for every APPEND). */
function outputPath(job: TableSyncJob, file: SourceFile, chunk: number): string {
  // The codec in a source name (`.snappy.parquet`) would misname a file written with zstd.
  const stem = file.key.replace(/(\.(snappy|zstd|gz|lz4|brotli))?\.(parquet|avro)$/i, '');
  const name = `${stem}-${String(chunk).padStart(5, '0')}.parquet`;
  if (file.snapshotId !== undefined) return `s${file.snapshotId}/${name}`;
  return file.version !== undefined ? `v${String(file.version).padStart(20, '0')}/${name}` : name;
}

/** A Delta page: its planned files, read under the schema of the run's last version, each file once. */
async function writeDeltaPage(deps: JobDeps, table: OpenedTable, plan: TableSyncPlan, paths: ReturnType<typeof tableRunPaths>, page: number,
  run: PageRun<FileEntry>, doneFiles: Set<string | undefined>, write: (file: SourceFile, schema: TableSchema) => Promise<void>): Promise<void> {
  const info = await openDeltaSnapshot(table.storage, { version: plan.toVersion });
  const files = (await readPlanPage(deps, paths, page)).filter((f) => !doneFiles.has(f.key));
  await run.each(files, async (planned: PlannedFile) => {
    const file: DeltaFile = {
      path: planned.key, key: planned.key, size: planned.size, modificationTime: planned.modificationTime,
      partitionValues: loadValues(planned.partitionValues), ...(planned.deletionVector ? { deletionVector: planned.deletionVector } : {}),
    };
    const rows = async function* () {
      for await (const batch of scanDeltaFiles(table.storage, info, [file])) yield batch.rows;
    };
    await write({ key: planned.key, size: planned.size, modificationTime: planned.modificationTime, version: planned.version, rows: rows() }, info.schema);
  });
}

/** A Parquet or Avro table: its whole scan, cut at its files; files done by an earlier attempt are read past. */
async function writeFolderTable(job: TableSyncJob, table: OpenedTable, doneFiles: Set<string | undefined>,
  write: (file: SourceFile, schema: TableSchema) => Promise<void>): Promise<void> {
  const reader = job.format === 'parquet' ? await openParquetTable(table.storage) : await openAvroTable(table.storage);
  const { schema } = await reader.describe();
  const objects = new Map<string, StoredObject>(reader.files.map((f) => [f.key, f]));
  for await (const { file, batches } of byFile(reader.scan())) {
    if (doneFiles.has(file)) continue;
    const object = objects.get(file);
    await write({ key: file, size: object?.size ?? 0, modificationTime: object?.lastModified ?? 0, rows: batches }, schema);
  }
}
