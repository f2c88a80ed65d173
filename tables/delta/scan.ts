/**
 * The data of a snapshot: its files' Parquet read a row group at a time, deleted rows (deletion
 * vectors) dropped, columns found by column mapping, partition values added, values exact
 * (see values.ts). Rows come in the schema's column order.
 */
import { openParquet, readRowGroup, type ParquetFile } from '../parquet';
import { mayMatch, type CompiledWhere } from '../predicate';
import { deltaStatsSummaries, firstOf, partitionSummaries, rowGroupSummaries } from '../predicate/summaries';
import { emptyScanStats, filterRows, rowGroupBytes, type ScanStats } from '../scan-stats';
import type { TableStorage } from '../storage';
import { readDeletionVector } from './deletion-vector';
import { DeltaTableError } from './errors';
import { converterFor, fileChildFor } from './parquet-values';
import type { RowIndexSet } from './roaring';
import type { DeltaFile, DeltaSnapshotInfo } from './snapshot';
import type { DeltaValue } from './values';

/** Bytes read from a data file's end for its footer (a smaller file is read whole, once): most footers fit, a longer one costs a second read. */
const FOOTER_FETCH = 64 * 1024;

/** A row: values by logical column name. */
export type DeltaRow = Record<string, DeltaValue>;

/** The rows of one row group of one file (deleted rows already dropped). */
export interface DeltaRowBatch {
  file: DeltaFile;
  rowGroup: number;
  rows: DeltaRow[];
}

/** What to read. */
export interface DeltaScanOptions {
  /** Top-level columns (logical names) to return, in this order; all by default. */
  columns?: string[];
  /** Only rows it is true for: files pruned by partition values, then by statistics, row groups by theirs. */
  where?: CompiledWhere;
  /** Counts of what was pruned and read. */
  stats?: ScanStats;
  /** Prune and count from metadata only: no row group, no deletion vector is read, no batch yielded. */
  planOnly?: boolean;
}

/** What scanFile does beyond reading rows. */
interface FilePlan {
  where?: CompiledWhere;
  stats: ScanStats;
  planOnly: boolean;
  /** The names returned (the fields read may add the predicate's). */
  names: string[];
}

/** Reads the rows of `files` (a snapshot's, or a subset of them), one batch per row group. */
export async function* scanDeltaFiles(storage: TableStorage, snapshot: DeltaSnapshotInfo, files: Iterable<DeltaFile> | AsyncIterable<DeltaFile[]>, options: DeltaScanOptions = {}): AsyncGenerator<DeltaRowBatch> {
  const fieldOf = (name: string) => {
    const field = snapshot.schema.fields.find((f) => f.name === name);
    if (!field) throw new DeltaTableError(`no column ${name} in the table (columns: ${snapshot.schema.fields.map((f) => f.name).join(', ')})`);
    return field;
  };
  const fields = options.columns === undefined ? snapshot.schema.fields : options.columns.map(fieldOf);
  const { where } = options;
  const names = fields.map((f) => f.name);
  const read = where ? [...fields, ...where.columns.filter((c) => !names.includes(c)).map(fieldOf)] : fields;
  const plan: FilePlan = { where, stats: options.stats ?? emptyScanStats(), planOnly: options.planOnly === true, names };
  const partitions = new Set(snapshot.partitionColumns);
  const kept = (file: DeltaFile): boolean => {
    plan.stats.filesTotal++;
    plan.stats.fileBytesTotal += file.size;
    if (!where) return true;
    const byPartition = partitionSummaries(file.partitionValues, partitions);
    if (!mayMatch(where.bound, byPartition)) {
      plan.stats.filesPrunedByPartition++;
      return false;
    }
    if (!mayMatch(where.bound, firstOf(byPartition, deltaStatsSummaries(file.stats)))) {
      plan.stats.filesPrunedByStatistics++;
      return false;
    }
    return true;
  };
  for await (const item of files as AsyncIterable<DeltaFile | DeltaFile[]>) {
    const batch = (Array.isArray(item) ? item : [item]).filter(kept);
    // The next file's footer is fetched while this one is read: one request's latency less per file, one footer more in memory.
    let next: Promise<ParquetFile> | undefined;
    for (let i = 0; i < batch.length; i++) {
      const current = next ?? openParquet(storage, (batch[i] as DeltaFile).key, (batch[i] as DeltaFile).size, FOOTER_FETCH);
      next = i + 1 < batch.length ? ahead(openParquet(storage, (batch[i + 1] as DeltaFile).key, (batch[i + 1] as DeltaFile).size, FOOTER_FETCH)) : undefined;
      yield* scanFile(storage, snapshot, batch[i] as DeltaFile, read, partitions, undefined, plan, current);
    }
  }
}

/** A promise read later, or never (a scan stopped early): its failure is not an unhandled rejection meanwhile. */
function ahead<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/** Which rows of a file to read, by their index in the file. */
export type RowSelection = (rowIndex: number) => boolean;

/**
 * Reads the rows of one file that `select` keeps (its deletion vector is not applied: the
 * selection decides), one batch per row group that has any; for readers of changes (cdf.ts).
 * `fields` may include fields the schema lacks (a change file's `_change_type`), read by name.
 */
export async function* scanSelectedRows(storage: TableStorage, snapshot: DeltaSnapshotInfo, file: DeltaFile, fields: DeltaSnapshotInfo['schema']['fields'], select: RowSelection): AsyncGenerator<DeltaRowBatch> {
  yield* scanFile(storage, snapshot, file, fields, new Set(snapshot.partitionColumns), select);
}

async function* scanFile(storage: TableStorage, snapshot: DeltaSnapshotInfo, file: DeltaFile, fields: DeltaSnapshotInfo['schema']['fields'], partitions: Set<string>, select?: RowSelection, plan?: FilePlan, opened?: Promise<ParquetFile>): AsyncGenerator<DeltaRowBatch> {
  const deletedRows: RowIndexSet | undefined = !select && !plan?.planOnly && file.deletionVector ? await readDeletionVector(storage, file.deletionVector) : undefined;
  const deleted = select ? { has: (i: number) => !select(i), cardinality: Infinity } : deletedRows;
  const parquet = await (opened ?? openParquet(storage, file.key, file.size, FOOTER_FETCH));
  const mode = snapshot.columnMappingMode;
  const columns = fields.map((field) => {
    if (partitions.has(field.name)) return { name: field.name, partition: file.partitionValues[field.name] ?? null };
    const node = fileChildFor(parquet.schema, field, mode);
    return { name: field.name, key: node?.element.name, convert: node ? converterFor(field.type, node, mode, field.name) : undefined };
  });
  const read = [...new Set(columns.flatMap((c) => ('key' in c && c.key !== undefined ? [c.key] : [])))];
  const where = plan?.where;
  const byPartition = partitionSummaries(file.partitionValues, partitions);
  for (let g = 0; g < parquet.rowGroups.length; g++) {
    const { rowStart, rowCount } = parquet.rowGroups[g] as { rowStart: number; rowCount: number };
    if (plan) plan.stats.rowGroupsTotal++;
    if (plan && where && !mayMatch(where.bound, firstOf(byPartition, rowGroupSummaries(parquet, g, mode)))) {
      plan.stats.rowGroupsPruned++;
      continue;
    }
    if (deleted && allDeleted(deleted, rowStart, rowCount)) continue;
    if (plan) plan.stats.bytesToRead += rowGroupBytes(parquet, g, read);
    if (plan?.planOnly) continue;
    const raw = await readRowGroup(parquet, g, read);
    const rows: DeltaRow[] = [];
    for (let i = 0; i < raw.length; i++) {
      if (deleted?.has(rowStart + i)) continue;
      const source = raw[i] as Record<string, unknown>;
      const row: DeltaRow = {};
      for (const c of columns) {
        if ('partition' in c) row[c.name] = c.partition as DeltaValue;
        else row[c.name] = c.convert && c.key !== undefined ? c.convert(source[c.key]) : null;
      }
      rows.push(row);
    }
    yield { file, rowGroup: g, rows: plan ? filterRows(rows, where, plan.names) : rows };
  }
}

/** Whether every row of [start, start + count) is deleted (the row group need not be read). */
function allDeleted(deleted: Pick<RowIndexSet, 'has' | 'cardinality'>, start: number, count: number): boolean {
  if (deleted.cardinality < count) return false;
  for (let i = 0; i < count; i++) if (!deleted.has(start + i)) return false;
  return true;
}
