/**
 * What a scan with `--where` skipped and what it reads, for `--explain` and for tests: files
 * pruned by partition values and by statistics, row groups pruned, and the bytes of the column
 * chunks (or whole files, for Avro) the scan reads; and the helpers every reader shares to read
 * the predicate's columns, keep the rows it is true for, and return the columns asked for.
 */
import type { ParquetFile } from './parquet';
import type { CompiledWhere } from './predicate';
import type { TableValue } from './values';

/** Counts of one scan; every reader fills the same fields. */
export interface ScanStats {
  /** Data files of the snapshot (or folder). */
  filesTotal: number;
  /** Their bytes: what a full scan of every column would read, at most. */
  fileBytesTotal: number;
  /** Files skipped by their partition values alone, before anything of them is read. */
  filesPrunedByPartition: number;
  /**
   * Files skipped by statistics: a Delta file by its per-file statistics in the log (before
   * it is opened); a Parquet table's file when its footer's row-group statistics rule out all
   * of its row groups.
   */
  filesPrunedByStatistics: number;
  /** Row groups (Parquet) or blocks (Avro) of the files opened. */
  rowGroupsTotal: number;
  /** Row groups skipped by their statistics. */
  rowGroupsPruned: number;
  /** Bytes of data the scan reads (or, planning only, would read): the kept row groups' column chunks of the columns read; whole files for Avro. Footers and the log are not included. */
  bytesToRead: number;
}

/** Zeroed counts. */
export function emptyScanStats(): ScanStats {
  return { filesTotal: 0, fileBytesTotal: 0, filesPrunedByPartition: 0, filesPrunedByStatistics: 0, rowGroupsTotal: 0, rowGroupsPruned: 0, bytesToRead: 0 };
}

/** The compressed bytes of row group `group`'s column chunks whose top-level column is in `columns` (hyparquet fetches these ranges). */
export function rowGroupBytes(file: ParquetFile, group: number, columns: readonly string[]): number {
  const wanted = new Set(columns);
  let bytes = 0;
  for (const chunk of file.metadata.row_groups[group]?.columns ?? []) {
    const meta = chunk.meta_data;
    if (meta && wanted.has(meta.path_in_schema[0] as string)) bytes += Number(meta.total_compressed_size);
  }
  return bytes;
}

/** The names to read: those returned, then the predicate's that are not among them. */
export function namesToRead(names: readonly string[], where: CompiledWhere | undefined): string[] {
  if (!where) return [...names];
  return [...names, ...where.columns.filter((c) => !names.includes(c))];
}

/** The rows `where` is true for, with only the columns `names` (in that order) when rows carry more. */
export function filterRows<R extends Record<string, TableValue>>(rows: R[], where: CompiledWhere | undefined, names: readonly string[]): R[] {
  if (!where) return rows;
  const kept = rows.filter((row) => where.matches(row));
  if (where.columns.every((c) => names.includes(c))) return kept;
  return kept.map((row) => {
    const out: Record<string, TableValue> = {};
    for (const n of names) out[n] = row[n] ?? null;
    return out as R;
  });
}
