/**
 * What a data file's partition values of time and truncate transforms say of their source
 * columns (the specification's "Partition Transforms"), for `--where` pruning before the file is
 * opened: year, month, day and hour of a date or timestamp give the range of the period;
 * truncate[W] of an int or long gives [v, v + W - 1]; a null partition value means the source
 * value is null in every row. Bucket and string truncation say nothing a range can hold, and
 * prune nothing.
 */
import type { ColumnSummary, SummaryOf } from '../predicate';
import { keyOfValue, type Key } from '../predicate/keys';
import { daysFromCivil, formatDate, formatTimestampMicros, type TableValue } from '../values';
import type { ContentFile } from './manifests';
import type { PartitionField, PartitionSpec } from './metadata';
import type { IcebergField } from './types';

const MICROS_PER_DAY = 86_400_000_000n;
const MICROS_PER_HOUR = 3_600_000_000n;

/** Days since the epoch of the first day of month `m` since 1970-01 (negative before). */
function monthStartDays(m: number): number {
  const year = 1970 + Math.floor(m / 12);
  return daysFromCivil(year, (((m % 12) + 12) % 12) + 1, 1);
}

/** The inclusive range of source values of one partition value, as table values; undefined when the transform gives none. */
function rangeOf(field: PartitionField, source: IcebergField, raw: unknown): [TableValue, TableValue] | null | undefined {
  if (raw === null || raw === undefined) return null;
  const t = source.type;
  const n = Number(raw);
  if (t.kind !== 'primitive') return undefined;
  const truncate = /^truncate\[(\d+)\]$/.exec(field.transform);
  if (truncate && (t.name === 'int' || t.name === 'long')) {
    const w = BigInt(truncate[1] as string);
    const v = BigInt(raw as number | bigint);
    return t.name === 'int' ? [Number(v), Number(v + w - 1n)] : [v, v + w - 1n];
  }
  let days: [number, number] | undefined;
  let micros: [bigint, bigint] | undefined;
  switch (field.transform) {
    case 'year': days = [daysFromCivil(1970 + n, 1, 1), daysFromCivil(1971 + n, 1, 1) - 1]; break;
    case 'month': days = [monthStartDays(n), monthStartDays(n + 1) - 1]; break;
    case 'day': days = [n, n]; break;
    case 'hour': micros = [BigInt(n) * MICROS_PER_HOUR, BigInt(n + 1) * MICROS_PER_HOUR - 1n]; break;
    default: return undefined;
  }
  if (t.name === 'date') return days ? [formatDate(days[0]), formatDate(days[1])] : undefined;
  if (t.name !== 'timestamp' && t.name !== 'timestamptz') return undefined;
  const utc = t.name === 'timestamptz';
  const [lo, hi] = micros ?? [BigInt((days as [number, number])[0]) * MICROS_PER_DAY, BigInt((days as [number, number])[1] + 1) * MICROS_PER_DAY - 1n];
  return [formatTimestampMicros(lo, utc), formatTimestampMicros(hi, utc)];
}

/** What the file's non-identity partition values say of top-level source columns. */
export function transformSummaries(file: ContentFile, spec: PartitionSpec | undefined, fieldsById: Map<number, IcebergField>): SummaryOf {
  return (column) => {
    if (column.fields.length !== 1 || !spec) return undefined;
    const id = column.fields[0]?.fieldId;
    const source = id === undefined ? undefined : fieldsById.get(id);
    if (!source) return undefined;
    for (const f of spec.fields) {
      if (f.sourceId !== id || f.transform === 'identity') continue;
      const range = rangeOf(f, source, file.partition.get(f.fieldId));
      if (range === null) return { constant: null };
      if (range === undefined || !column.domain) continue;
      const key = (v: TableValue): Key | undefined => {
        try {
          return keyOfValue(v, column.domain!, column.scale) ?? undefined;
        } catch {
          return undefined;
        }
      };
      const summary: ColumnSummary = { min: key(range[0]), max: key(range[1]), nullCount: 0 };
      return summary;
    }
    return undefined;
  };
}
