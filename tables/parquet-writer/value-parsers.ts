/**
 * Table values checked and turned into what Arrow columns hold (value-parsers of the Parquet
 * writer): 64-bit integers from bigints (or safe integers), smaller ones in range, and the exact
 * texts of dates, timestamps and decimals (tables/values.ts) through the Delta text parsers, the
 * canonical timestamp text by a fast path. A value that does not fit fails naming its place.
 */
import { typeName, type DeltaType } from '../delta/schema';
import { daysFromCivil, parseTimestampMicros } from '../delta/values';
import type { TableValue } from '../values';
import { ParquetWriteError } from './arrow-types';

/** Where a value sits, for messages: the column path and the row within the batch. */
export type At = (index: number) => string;

/** Fails naming the value's place, what it is and what it should be. */
export function fail(at: string, type: DeltaType, value: TableValue, why = ''): never {
  const shown = typeof value === 'bigint' ? `${value}n` : value instanceof Uint8Array ? 'binary' : JSON.stringify(value) ?? String(value);
  throw new ParquetWriteError(`${at}: ${shown?.slice(0, 80)} is not a ${typeName(type)}${why ? ` (${why})` : ''}`);
}

// The helpers below take the row's index and build its place's name only on failure: most values pass.

/** A `long` value as a bigint. */
export function longOf(v: TableValue, at: At, i: number, type: DeltaType): bigint {
  let n: bigint;
  if (typeof v === 'bigint') n = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
  else return fail(at(i), type, v);
  if (BigInt.asIntN(64, n) !== n) fail(at(i), type, v, 'outside the 64-bit range');
  return n;
}

/** An `integer`, `short` or `byte` value as a number in its range. */
export function smallIntegerOf(v: TableValue, bits: number, at: At, i: number, type: DeltaType): number {
  const n = typeof v === 'bigint' && BigInt.asIntN(bits, v) === v ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) return fail(at(i), type, v);
  const bound = 2 ** (bits - 1);
  if (n < -bound || n >= bound) fail(at(i), type, v, `outside the ${bits}-bit range`);
  return n;
}

/** A text value. */
export function textOf(v: TableValue, at: At, i: number, type: DeltaType): string {
  return typeof v === 'string' ? v : fail(at(i), type, v);
}

/** Runs a parser of tables/delta/values.ts on a text value, naming the value's place when it refuses it. */
export function parsed<T>(v: TableValue, at: At, i: number, type: DeltaType, parse: (text: string) => T): T {
  const text = textOf(v, at, i, type);
  try {
    return parse(text);
  } catch (err) {
    return fail(at(i), type, v, (err as Error).message);
  }
}


/** The digits of `text` from `start` to `end` as a number, or -1 when one is not a digit. */
function digits(text: string, start: number, end: number): number {
  let n = 0;
  for (let k = start; k < end; k++) {
    const d = text.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Microseconds since the epoch of a `timestamp` or `timestamp_ntz` value: a bigint as it is, the
 * canonical text the readers give (`YYYY-MM-DDTHH:MM:SS.ffffff` with or without `Z`, tables/values.ts)
 * parsed by position (a tenth of the general parser's time), any other timestamp text by it.
 */
export function timestampOf(v: TableValue, at: At, i: number, type: DeltaType): bigint {
  if (typeof v === 'bigint') return v;
  const text = textOf(v, at, i, type);
  const n = text.length;
  if ((n === 26 || (n === 27 && text[26] === 'Z')) && text[4] === '-' && text[7] === '-' && text[10] === 'T' && text[13] === ':' && text[16] === ':' && text[19] === '.') {
    const parts = [digits(text, 0, 4), digits(text, 5, 7), digits(text, 8, 10), digits(text, 11, 13), digits(text, 14, 16), digits(text, 17, 19), digits(text, 20, 26)];
    if (parts.every((p) => p >= 0)) {
      const [year, month, day, hh, mm, ss, micros] = parts as [number, number, number, number, number, number, number];
      return BigInt(daysFromCivil(year, month, day) * 86_400 + hh * 3600 + mm * 60 + ss) * 1_000_000n + BigInt(micros);
    }
  }
  return parsed(v, at, i, type, parseTimestampMicros);
}
