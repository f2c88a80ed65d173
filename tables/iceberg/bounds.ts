/**
 * A data file's column statistics from its manifest entry (lower and upper bounds, null and
 * value counts, by field id) as what `--where` pruning knows of the file before opening it.
 * Bounds are in the specification's single-value binary serialization (Appendix D): int, date
 * 4 bytes little-endian; long, time, timestamp(tz) 8 bytes little-endian; string UTF-8;
 * decimal the unscaled value's big-endian two's complement; boolean one byte. A file written
 * before an int column became a long has 4-byte bounds, read as such. Bounds of floats, uuids
 * and binary never prune (NaN, byte order); nor does a bound that does not decode. Bounds may
 * be truncated (strings): still a lower and an upper bound, so pruning stays safe.
 */
import type { ColumnSummary, SummaryOf } from '../predicate';
import { keyOfValue, type Key } from '../predicate/keys';
import { bigintFromBytes, formatDate, formatDecimal, formatTimestampMicros, type TableValue } from '../values';
import type { FileStats } from './manifests';
import type { IcebergField } from './types';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The table value of one bound of a field of `type`; undefined when it is not one this reader prunes by. */
export function boundValue(field: IcebergField, bytes: Uint8Array): TableValue | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const int = (): bigint | undefined => (bytes.length === 4 ? BigInt(view.getInt32(0, true)) : bytes.length === 8 ? view.getBigInt64(0, true) : undefined);
  const t = field.type;
  if (t.kind === 'decimal') return bytes.length === 0 ? undefined : formatDecimal(bigintFromBytes(bytes), t.scale);
  if (t.kind !== 'primitive') return undefined;
  switch (t.name) {
    case 'boolean': return bytes.length === 1 ? bytes[0] !== 0 : undefined;
    case 'int': return bytes.length === 4 ? view.getInt32(0, true) : undefined;
    case 'long': return int();
    case 'date': return bytes.length === 4 ? formatDate(view.getInt32(0, true)) : undefined;
    case 'timestamp': case 'timestamptz': {
      const micros = bytes.length === 8 ? view.getBigInt64(0, true) : undefined;
      return micros === undefined ? undefined : formatTimestampMicros(micros, t.name === 'timestamptz');
    }
    case 'string':
      try {
        return utf8.decode(bytes);
      } catch {
        return undefined; // a truncated bound cut inside a character
      }
    default: return undefined;
  }
}

/** What a file's manifest statistics say of each column (found by the field id of the column's last field). */
export function fileBoundsSummaries(stats: FileStats, recordCount: number, fieldsById: Map<number, IcebergField>): SummaryOf {
  return (column) => {
    const id = column.fields[column.fields.length - 1]?.fieldId;
    const field = id === undefined ? undefined : fieldsById.get(id);
    if (id === undefined || !field || !column.domain) return undefined;
    const key = (bytes: Uint8Array | undefined): Key | undefined => {
      if (!bytes) return undefined;
      const value = boundValue(field, bytes);
      if (value === undefined || value === null) return undefined;
      try {
        return keyOfValue(value, column.domain!, column.scale) ?? undefined;
      } catch {
        return undefined; // a bound that does not read as the column's type prunes nothing
      }
    };
    const summary: ColumnSummary = { min: key(stats.lowerBounds.get(id)), max: key(stats.upperBounds.get(id)) };
    const nulls = stats.nullValueCounts.get(id);
    // Counts are of top-level columns' rows; a nested field's count is of its own values.
    if (nulls !== undefined && column.fields.length === 1) {
      summary.nullCount = nulls;
      summary.rowCount = recordCount;
    }
    return summary;
  };
}
