/**
 * Hive-style partition folders of Parquet and Avro tables (`year=2024/day=2024-01-02/part-0.parquet`): each `key=value`
 * folder below the table root is a column, typed by its values across every file: `integer`
 * (`long` beyond 32 bits) when all are integers, `date` when all are `YYYY-MM-DD`, else
 * `string`. `__HIVE_DEFAULT_PARTITION__` (and an empty value) is null. Values are URI-decoded
 * (`%3A` is `:`), as Hive and Spark escape them.
 */
import type { DeltaField, DeltaType } from './delta/schema';
import { daysFromCivil, formatDate, type TableValue } from './values';

function plainField(name: string, type: DeltaType, nullable: boolean): DeltaField {
  return { name, type, nullable, metadata: {}, physicalName: name };
}

/** Hive's name for a null partition value. */
export const HIVE_NULL = '__HIVE_DEFAULT_PARTITION__';

/** The partition texts of a key, in folder order (`a=1/b=x/f.parquet` -> [[a, '1'], [b, 'x']]); null for a null value. */
export function partitionTexts(key: string): Array<[string, string | null]> {
  const out: Array<[string, string | null]> = [];
  for (const segment of key.split('/').slice(0, -1)) {
    const eq = segment.indexOf('=');
    if (eq <= 0) continue;
    const name = decode(segment.slice(0, eq));
    const text = decode(segment.slice(eq + 1));
    out.push([name, text === HIVE_NULL || text === '' ? null : text]);
  }
  return out;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const INTEGER = /^[+-]?\d+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The partition columns of a table's files, typed, in the order of the first file's folders
 * (columns only some files have come after). A file whose folders name the columns in another
 * order still reads by name.
 */
export function inferPartitionFields(keys: Iterable<string>): DeltaField[] {
  const values = new Map<string, Array<string | null>>();
  for (const key of keys) {
    for (const [name, text] of partitionTexts(key)) {
      let list = values.get(name);
      if (!list) values.set(name, (list = []));
      list.push(text);
    }
  }
  return [...values].map(([name, texts]) => {
    const present = texts.filter((t): t is string => t !== null);
    if (present.length > 0 && present.every((t) => INTEGER.test(t))) {
      const wide = present.some((t) => { const n = BigInt(t); return n > 2147483647n || n < -2147483648n; });
      return plainField(name, { kind: 'primitive', name: wide ? 'long' : 'integer' }, true);
    }
    if (present.length > 0 && present.every((t) => isDate(t))) return plainField(name, { kind: 'primitive', name: 'date' }, true);
    return plainField(name, { kind: 'primitive', name: 'string' }, true);
  });
}

function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const days = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
  return formatDate(days) === text; // 2024-02-30 is no date
}

/** The typed partition values of one file, by column; a column the file's folders lack is null. */
export function partitionValuesOf(key: string, fields: DeltaField[]): Record<string, TableValue> {
  const texts = new Map(partitionTexts(key));
  const out: Record<string, TableValue> = {};
  for (const field of fields) {
    const text = texts.get(field.name) ?? null;
    if (text === null) out[field.name] = null;
    else if (field.type.kind === 'primitive' && field.type.name === 'integer') out[field.name] = Number(text);
    else if (field.type.kind === 'primitive' && field.type.name === 'long') out[field.name] = BigInt(text);
    else out[field.name] = text; // dates are already YYYY-MM-DD, strings as they are
  }
  return out;
}
