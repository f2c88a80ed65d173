/**
 * A Parquet table: a folder of Parquet files below a root, read in place.
 *
 * - Files: every `*.parquet` key below the root, in key order; a folder or file whose name
 *   starts with `_` or `.` (`_SUCCESS`, `_temporary/`, `.spark-staging/`, `_delta_log/`) is not
 *   data, unless it is a `key=value` partition folder.
 * - Schema: inferred from the footers of at most {@link ParquetTableOptions.maxSchemaFiles} files
 *   (100 by default, the first in key order), read with ranged reads only. A column missing from
 *   some files is null there; a column whose type differs between two files fails, naming both
 *   files, the column and both types. Files beyond the sample are checked when scanned, the same
 *   way. Columns come in the order first seen, then the partition columns.
 * - Partitions: hive-style `key=value/` folders are typed columns (tables/hive-partitions.ts). A partition
 *   column that the files also store is read from the folder name, as Hive and Spark do.
 * - Scan: a row group at a time, values exact (tables/values.ts), through the same conversions as
 *   the Delta reader (tables/delta/parquet-values.ts).
 */
import { columnNames, openParquet, readRowGroup, type ParquetFile } from '../parquet';
import { converterFor, type Converter } from '../delta/parquet-values';
import { typeName, type DeltaField } from '../delta/schema';
import type { StoredObject, TableStorage } from '../storage';
import type { TableValue } from '../values';
import {
  limitRows, selectColumns, type TableDescription, type TableReader, type TableRow, type TableRowBatch, type TableScanOptions,
} from '../table-reader';
import { inferPartitionFields, partitionValuesOf } from '../hive-partitions';
import { compileWhere, mayMatch, type CompiledWhere } from '../predicate';
import { firstOf, partitionSummaries, rowGroupSummaries } from '../predicate/summaries';
import { emptyScanStats, filterRows, namesToRead, rowGroupBytes, type ScanStats } from '../scan-stats';
import { parquetFields, ParquetSchemaError, sameType } from './schema';

/** A scan's predicate, counts and mode; `names` are the columns returned. */
interface Plan {
  where?: CompiledWhere;
  stats: ScanStats;
  planOnly: boolean;
  names: string[];
}

/** Bytes read from a file's end for its footer: most footers fit, a longer one costs a second read. */
const FOOTER_FETCH = 64 * 1024;

/** Options of {@link openParquetTable}. */
export interface ParquetTableOptions {
  /** Footers read to infer the schema, at most (100 by default). */
  maxSchemaFiles?: number;
  /** Footers read at once (8 by default). */
  concurrency?: number;
}

/** Two files that give one column different types. */
export class ParquetSchemaConflictError extends ParquetSchemaError {
  constructor(readonly column: string, readonly first: { file: string; type: string }, readonly second: { file: string; type: string }) {
    super(`column ${column} is ${first.type} in ${first.file} but ${second.type} in ${second.file}; a table's files must agree on each column's type`);
  }
}

/** An opened Parquet table: its description and a scan. */
export interface ParquetTable extends TableReader {
  /** The data files, in key order. */
  readonly files: StoredObject[];
  /** The files whose footers the schema was inferred from. */
  readonly schemaFiles: string[];
}

/** Whether a key below the root is a data file of the table. */
export function isParquetDataKey(key: string): boolean {
  if (!key.toLowerCase().endsWith('.parquet')) return false;
  const parts = key.split('/');
  return parts.every((p, i) => !(p.startsWith('_') || p.startsWith('.')) || (i < parts.length - 1 && p.includes('=')));
}

/** Lists the table's files and infers its schema from their footers (no data page is read). */
export async function openParquetTable(storage: TableStorage, options: ParquetTableOptions = {}): Promise<ParquetTable> {
  const files: StoredObject[] = [];
  for await (const object of storage.list('')) if (isParquetDataKey(object.key)) files.push(object);
  if (files.length === 0) throw new ParquetSchemaError(`no Parquet files below ${storage.location}`);
  const sample = files.slice(0, Math.max(1, options.maxSchemaFiles ?? 100));
  const footers = await mapLimited(sample, options.concurrency ?? 8, (f) => openParquet(storage, f.key, f.size, FOOTER_FETCH));

  const partitionFields = inferPartitionFields(files.map((f) => f.key));
  const partitionNames = new Set(partitionFields.map((f) => f.name));
  const seen = new Map<string, { field: DeltaField; file: string }>();
  for (const footer of footers) {
    const present = new Set<string>();
    for (const field of parquetFields(footer.schema, footer.key)) {
      if (partitionNames.has(field.name)) continue;
      present.add(field.name);
      const before = seen.get(field.name);
      if (!before) seen.set(field.name, { field, file: footer.key });
      else if (!sameType(before.field.type, field.type)) {
        throw new ParquetSchemaConflictError(field.name, { file: before.file, type: typeName(before.field.type) }, { file: footer.key, type: typeName(field.type) });
      } else if (field.nullable && !before.field.nullable) before.field = { ...before.field, nullable: true };
    }
    // A column some file lacks is null in that file's rows.
    for (const entry of seen.values()) if (!present.has(entry.field.name) && !entry.field.nullable) entry.field = { ...entry.field, nullable: true };
  }
  const dataFields = [...seen.values()];
  const schema = { kind: 'struct' as const, fields: [...dataFields.map((e) => e.field), ...partitionFields] };
  const origin = new Map(dataFields.map((e) => [e.field.name, e.file]));
  const description: TableDescription = {
    format: 'parquet', schema, partitionColumns: partitionFields.map((f) => f.name),
    fileCount: files.length, bytes: files.reduce((sum, f) => sum + f.size, 0),
  };
  const opened = new Map(footers.map((f) => [f.key, f]));

  async function* scanAll(fields: DeltaField[], plan: Plan): AsyncGenerator<TableRowBatch> {
    const { where, stats } = plan;
    for (const object of files) {
      stats.filesTotal++;
      stats.fileBytesTotal += object.size;
      const partition = partitionValuesOf(object.key, partitionFields);
      if (where && !mayMatch(where.bound, partitionSummaries(partition, partitionNames))) {
        stats.filesPrunedByPartition++;
        opened.delete(object.key);
        continue;
      }
      const parquet = opened.get(object.key) ?? await openParquet(storage, object.key, object.size, FOOTER_FETCH);
      opened.delete(object.key); // each footer is used once; the map holds no more than the sample
      yield* scanFile(parquet, fields, partition, plan);
    }
  }

  async function* scanFile(parquet: ParquetFile, fields: DeltaField[], partition: Record<string, TableValue>, plan: Plan): AsyncGenerator<TableRowBatch> {
    const fileFields = new Map(parquetFields(parquet.schema, parquet.key).map((f) => [f.name, f]));
    type Column = { name: string; partition: TableValue } | { name: string; key: string; convert: Converter };
    const columns = fields.map((field): Column => {
      if (partitionNames.has(field.name)) return { name: field.name, partition: partition[field.name] ?? null };
      const own = fileFields.get(field.name);
      if (!own) return { name: field.name, partition: null }; // a column this file lacks
      if (!sameType(own.type, field.type)) {
        throw new ParquetSchemaConflictError(field.name, { file: origin.get(field.name) ?? '(the table schema)', type: typeName(field.type) }, { file: parquet.key, type: typeName(own.type) });
      }
      const node = parquet.schema.children.find((c) => c.element.name === field.name);
      if (!node) return { name: field.name, partition: null };
      return { name: field.name, key: field.name, convert: converterFor(field.type, node, 'none', field.name) };
    });
    const names = new Set(columnNames(parquet));
    const read = columns.flatMap((c) => ('key' in c && names.has(c.key) ? [c.key] : []));
    const cells = (source: Record<string, unknown>): TableRow => {
      const row: TableRow = {};
      for (const c of columns) row[c.name] = 'key' in c ? c.convert(source[c.key]) : c.partition;
      return row;
    };
    const { where, stats } = plan;
    const byPartition = partitionSummaries(partition, partitionNames);
    let kept = 0;
    for (let g = 0; g < parquet.rowGroups.length; g++) {
      stats.rowGroupsTotal++;
      if (where && !mayMatch(where.bound, firstOf(byPartition, rowGroupSummaries(parquet, g, 'none')))) {
        stats.rowGroupsPruned++;
        continue;
      }
      kept++;
      stats.bytesToRead += rowGroupBytes(parquet, g, read);
      if (plan.planOnly) continue;
      const raw = await readRowGroup(parquet, g, read);
      yield { file: parquet.key, rowGroup: g, rows: filterRows(raw.map(cells), where, plan.names) };
    }
    if (where && kept === 0 && parquet.rowGroups.length > 0) stats.filesPrunedByStatistics++;
  }

  return {
    files, schemaFiles: sample.map((f) => f.key),
    describe: async () => description,
    scan(scan: TableScanOptions = {}) {
      const fields = selectColumns(schema, scan.columns, storage.location);
      const where = scan.where !== undefined ? compileWhere(scan.where, schema, storage.location) : undefined;
      const names = fields.map((f) => f.name);
      const read = selectColumns(schema, namesToRead(names, where), storage.location);
      const plan: Plan = { where, stats: scan.stats ?? emptyScanStats(), planOnly: scan.planOnly === true, names };
      return limitRows(scanAll(read, plan), scan.limit);
    },
  };
}

/** `fn` over `items`, at most `limit` at once, results in order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
