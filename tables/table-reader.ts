/**
 * The one interface every table format reads through (Parquet folders, Avro folders, Delta, and
 * Iceberg next): what the table is ({@link TableReader.describe}) and its rows a batch at a time
 * ({@link TableReader.scan}). Schemas use the Delta type system (tables/delta/schema.ts:
 * primitives, decimals, structs, arrays, maps), which the other formats map onto; values are
 * {@link TableValue}s with exact types (tables/values.ts).
 */
import type { DeltaStructType } from './delta/schema';
import type { ScanStats } from './scan-stats';
import type { TableValue } from './values';

/** A table's schema: its top-level columns, partition columns included. */
export type TableSchema = DeltaStructType;

/** A row: values by top-level column name, in the schema's (or the scan's columns') order. */
export type TableRow = Record<string, TableValue>;

/** What a table is, as registration records it. */
export interface TableDescription {
  format: 'parquet' | 'avro' | 'delta' | 'iceberg';
  schema: TableSchema;
  /** The columns whose values come from the files' paths (hive `key=value/`) or the table's metadata. */
  partitionColumns: string[];
  /** Data files that make up the table now. */
  fileCount: number;
  /** Their total size in bytes. */
  bytes: number;
  /** The table's version, for formats that have one (Delta, Iceberg). */
  version?: number;
}

/** What to read. */
export interface TableScanOptions {
  /** Top-level columns to return, in this order; all by default. An unknown name fails. */
  columns?: string[];
  /** At most this many rows in all (after `where`); every row by default. */
  limit?: number;
  /**
   * Only the rows this predicate (tables/predicate/) is true for. Files and row groups that
   * partition values or statistics rule out are not read; the rest are filtered exactly, so
   * the rows are those of a full scan filtered. A bad predicate fails with a PredicateError.
   */
  where?: string;
  /** Filled as the scan goes: what was pruned and the bytes read (see scan-stats.ts). */
  stats?: ScanStats;
  /** Plan only: prune and fill `stats` from metadata alone (the log, footers, headers), read no rows, yield nothing. */
  planOnly?: boolean;
}

/** The rows of one unit of reading (a Parquet row group, an Avro block run), from one file. */
export interface TableRowBatch {
  /** The data file's key, relative to the table root. */
  file: string;
  /** The index of the unit within the file. */
  rowGroup: number;
  rows: TableRow[];
}

/** A table read in place. */
export interface TableReader {
  describe(): Promise<TableDescription>;
  /** Rows in batches; memory is bounded by one batch, not by the table. */
  scan(options?: TableScanOptions): AsyncGenerator<TableRowBatch>;
}

/** Columns of `schema` by name, in the order asked; an unknown name fails naming the columns there are. */
export function selectColumns(schema: TableSchema, columns: string[] | undefined, location: string): TableSchema['fields'] {
  if (columns === undefined) return schema.fields;
  return columns.map((name) => {
    const field = schema.fields.find((f) => f.name === name);
    if (!field) throw new RangeError(`no column ${name} in the table ${location} (columns: ${schema.fields.map((f) => f.name).join(', ')})`);
    return field;
  });
}

/** Cuts a stream of batches to `limit` rows in all (the last batch shortened), stopping its source early. */
export async function* limitRows(batches: AsyncGenerator<TableRowBatch>, limit: number | undefined): AsyncGenerator<TableRowBatch> {
  if (limit === undefined) {
    yield* batches;
    return;
  }
  let left = limit;
  if (left <= 0) return;
  for await (const batch of batches) {
    if (batch.rows.length >= left) {
      yield { ...batch, rows: batch.rows.slice(0, left) };
      return; // the for-await's return() closes the source
    }
    left -= batch.rows.length;
    yield batch;
  }
}
