/**
 * The values a predicate compares, as keys that order exactly: integers and decimals as bigints
 * at a common scale, dates and timestamps as bigint microseconds since the epoch, floats as
 * numbers (NaN above every number and equal to itself, as DuckDB and Spark order it), strings
 * by Unicode code point (the UTF-8 byte order Parquet and Delta statistics use), booleans
 * false before true.
 */
import { parseDateDays, parseDecimalUnscaled, parseTimestampMicros } from '../delta/values';
import type { TableValue } from '../values';

/** How a column's values compare. */
export type Domain = 'exact' | 'float' | 'time' | 'string' | 'boolean';

/** A comparable value. */
export type Key = bigint | number | string | boolean;

/** Microseconds in a day. */
export const MICROS_PER_DAY = 86_400_000_000n;

/** Orders two keys of one domain: negative, zero or positive. */
export function compareKeys(a: Key, b: Key): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') {
    const an = Number.isNaN(a);
    const bn = Number.isNaN(b);
    if (an || bn) return an && bn ? 0 : an ? 1 : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw new TypeError(`cannot compare ${typeof a} with ${typeof b}`);
}

/** Code point order of two strings (UTF-16 order differs for characters above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800..DFFF) encode code points above U+FFFF: they sort after U+E000..FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
      y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * The key of a row value (tables/values.ts forms) of a column in `domain`; `scale` is the
 * common scale of an exact comparison (integers and decimals become bigints at that scale).
 */
export function keyOfValue(value: TableValue, domain: Domain, scale: number): Key | null {
  if (value === null || value === undefined) return null;
  switch (domain) {
    case 'exact':
      if (typeof value === 'bigint') return value * 10n ** BigInt(scale);
      if (typeof value === 'number') return BigInt(value) * 10n ** BigInt(scale);
      return parseDecimalUnscaled(value as string, scale);
    case 'float': return Number(value);
    case 'time': return timeKey(value as string);
    case 'string': return value as string;
    case 'boolean': return value as boolean;
  }
}

/** Microseconds since the epoch of a date (`YYYY-MM-DD`, at midnight) or timestamp text. */
export function timeKey(text: string): bigint {
  return /^[+-]?\d{4,}-\d{1,2}-\d{1,2}$/.test(text) ? BigInt(parseDateDays(text)) * MICROS_PER_DAY : parseTimestampMicros(text);
}
