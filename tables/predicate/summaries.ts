/**
 * What the metadata says about a column without reading it, as {@link ColumnSummary}s for
 * pruning: partition values (every row of a file holds its value), Delta per-file statistics,
 * and Parquet row-group statistics. Only what is certain is used; anything else is left out,
 * which only prunes less:
 * - float and double columns are never pruned by statistics (writers leave NaN out of them,
 *   and NaN sorts above every number);
 * - Delta: min/max are bounds of the file's values (PROTOCOL.md "Per-file Statistics");
 *   timestamps there are truncated to milliseconds, so bounds widen by 999 µs each way (as
 *   delta-kernel-rs does); a string maximum of 32 characters or more is not used (writers
 *   truncate string statistics to a 32-character prefix, the maximum with a tie-breaker
 *   character that need not exceed every longer string); null counts and numRecords are used
 *   only when tightBounds is not false (a file with deletion vectors may have wide statistics);
 * - Parquet: only `min_value`/`max_value` (the deprecated `min`/`max` used signed byte order),
 *   only signed integers, dates, timestamps (exact microseconds), booleans and UTF-8 strings;
 *   not decimals (hyparquet turns their statistics into doubles), unsigned integers, INT96,
 *   binary, or a value that did not decode as UTF-8 (a truncated bound).
 */
import type { SchemaTree } from 'hyparquet';
import { decimalScaleOf, isDateElement, type ParquetFile } from '../parquet';
import { fileChildFor } from '../delta/parquet-values';
import type { ColumnMappingMode } from '../delta/schema';
import type { DeltaFileStats } from '../delta/stats';
import type { TableValue } from '../values';
import type { BoundColumn } from './bind';
import { keyOfValue, MICROS_PER_DAY, type Key } from './keys';
import type { ColumnSummary, SummaryOf } from './prune';

const PRUNABLE = new Set(['exact', 'time', 'string', 'boolean']);

/** Delta writers may truncate string statistics to this many characters (delta.dataSkippingStringPrefixLength, 32 by default). */
const STRING_PREFIX_LENGTH = 32;

/** Partition columns as constants (`values` by top-level name); other columns unknown. */
export function partitionSummaries(values: Record<string, TableValue>, partitionColumns: ReadonlySet<string>): SummaryOf {
  return (column) => (column.path.length === 1 && partitionColumns.has(column.path[0] as string)
    ? { constant: values[column.path[0] as string] ?? null }
    : undefined);
}

/** Tries each source in turn: the first that knows a column answers. */
export function firstOf(...sources: SummaryOf[]): SummaryOf {
  return (column) => {
    for (const s of sources) {
      const found = s(column);
      if (found) return found;
    }
    return undefined;
  };
}

function at(values: Record<string, TableValue>, path: string[]): TableValue | undefined {
  let v: TableValue | undefined = values;
  for (const name of path) {
    if (v === null || v === undefined || typeof v !== 'object' || v instanceof Uint8Array || Array.isArray(v) || v instanceof Map) return undefined;
    v = (v as Record<string, TableValue>)[name];
  }
  return v;
}

/** A Delta file's statistics (keys by logical name). */
export function deltaStatsSummaries(stats: DeltaFileStats | undefined): SummaryOf {
  if (!stats) return () => undefined;
  return (column) => {
    if (!column.domain || !PRUNABLE.has(column.domain)) return undefined;
    const key = (v: TableValue | undefined): Key | undefined => {
      if (v === undefined || v === null || typeof v === 'object') return undefined;
      try {
        return keyOfValue(v, column.domain!, column.scale) ?? undefined;
      } catch {
        return undefined; // a statistic that does not read as the column's type prunes nothing
      }
    };
    let min = key(at(stats.minValues, column.path));
    let max = key(at(stats.maxValues, column.path));
    // A string maximum that may be truncated (a prefix plus a tie-breaker character) need not bound every longer string.
    if (typeof max === 'string' && [...max].length >= STRING_PREFIX_LENGTH) max = undefined;
    const type = column.type;
    if (type.kind === 'primitive' && (type.name === 'timestamp' || type.name === 'timestamp_ntz')) {
      if (typeof min === 'bigint') min -= 999n;
      if (typeof max === 'bigint') max += 999n;
    }
    const summary: ColumnSummary = { min, max };
    if (stats.tightBounds !== false) {
      const nulls = at(stats.nullCount, column.path);
      if (typeof nulls === 'number') summary.nullCount = nulls;
      if (stats.numRecords !== undefined) summary.rowCount = stats.numRecords;
    }
    return summary;
  };
}

/** The leaf of the file's schema for a column (by name, or by column mapping), with the names on its path. */
export function parquetLeaf(file: ParquetFile, column: BoundColumn, mode: ColumnMappingMode): { node: SchemaTree; names: string[] } | undefined {
  let node: SchemaTree | undefined = file.schema;
  const names: string[] = [];
  for (const field of column.fields) {
    node = fileChildFor(node, field, mode);
    if (!node || node.element.repetition_type === 'REPEATED') return undefined;
    names.push(node.element.name);
  }
  return node && node.children.length === 0 ? { node, names } : undefined;
}

/** A Parquet row group's statistics, columns found by `mode` (Parquet tables: 'none'). */
export function rowGroupSummaries(file: ParquetFile, group: number, mode: ColumnMappingMode): SummaryOf {
  const rowGroup = file.metadata.row_groups[group];
  return (column) => {
    if (!rowGroup) return undefined;
    const rowCount = Number(rowGroup.num_rows);
    const leaf = parquetLeaf(file, column, mode);
    if (!leaf) return undefined;
    const chunk = rowGroup.columns.find((c) => {
      const p = c.meta_data?.path_in_schema;
      return p !== undefined && p.length === leaf.names.length && p.every((n, i) => n === leaf.names[i]);
    });
    const stats = chunk?.meta_data?.statistics;
    if (!stats) return undefined;
    const summary: ColumnSummary = { rowCount };
    if (stats.null_count !== undefined) summary.nullCount = Number(stats.null_count);
    const toKey = statKey(leaf.node, column);
    if (toKey) {
      summary.min = toKey(stats.min_value);
      summary.max = toKey(stats.max_value);
    }
    return summary;
  };
}

/** How a statistic of this leaf becomes a key of the column's domain, or undefined when it cannot be trusted. */
function statKey(node: SchemaTree, column: BoundColumn): ((v: unknown) => Key | undefined) | undefined {
  const e = node.element;
  if (decimalScaleOf(e) !== undefined) return undefined;
  const unsigned = e.converted_type?.startsWith('UINT_') === true || (e.logical_type?.type === 'INTEGER' && e.logical_type.isSigned === false);
  if (unsigned) return undefined;
  const isTimestamp = e.converted_type === 'TIMESTAMP_MICROS' || e.converted_type === 'TIMESTAMP_MILLIS' || e.logical_type?.type === 'TIMESTAMP';
  switch (e.type) {
    case 'BOOLEAN':
      return column.domain === 'boolean' ? (v) => (typeof v === 'boolean' ? v : undefined) : undefined;
    case 'INT32': case 'INT64': {
      if (isDateElement(e)) return column.domain === 'time' ? (v) => (typeof v === 'number' ? BigInt(v) * MICROS_PER_DAY : undefined) : undefined;
      if (isTimestamp) return column.domain === 'time' ? (v) => (typeof v === 'bigint' ? v : undefined) : undefined;
      if (e.converted_type !== undefined || (e.logical_type !== undefined && e.logical_type.type !== 'INTEGER')) return undefined;
      const factor = 10n ** BigInt(column.scale);
      return column.domain === 'exact' ? (v) => (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)) ? BigInt(v) * factor : undefined) : undefined;
    }
    case 'BYTE_ARRAY': {
      const text = e.converted_type === 'UTF8' || e.logical_type?.type === 'STRING';
      return text && column.domain === 'string' ? (v) => (typeof v === 'string' && !v.includes('\ufffd') ? v : undefined) : undefined;
    }
    default:
      return undefined;
  }
}
