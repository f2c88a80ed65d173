/**
 * The values rows and partition values carry: their type and exact text forms are every table
 * format's (tables/values.ts, re-exported here); this file parses the texts of the Delta log
 * (partition values, statistics) back into them.
 */
import { DeltaTableError } from './errors';
import { daysFromCivil, type TableValue } from '../values';

export { bigintFromBytes, daysFromCivil, formatDate, formatDecimal, formatTimestampMicros, toMicros } from '../values';

/** A value of a row, a partition value or a statistic (the same as every table format's). */
export type DeltaValue = TableValue;

const MICROS_PER_DAY = 86_400_000_000n;

const TIMESTAMP_TEXT = /^([+-]?\d{4,})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Microseconds since the epoch of a timestamp's text: `YYYY-MM-DD HH:MM:SS[.ffffff]` (partition
 * values, read as UTC: the writer's zone is not recorded) or ISO 8601 with `Z` or an offset
 * (statistics, newer partition values). Nanosecond digits beyond the microsecond must be zero.
 */
export function parseTimestampMicros(text: string): bigint {
  const m = TIMESTAMP_TEXT.exec(text.trim());
  if (!m) throw new DeltaTableError(`"${text}" is not a timestamp`);
  const days = BigInt(daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3])));
  const seconds = BigInt(Number(m[4] ?? 0) * 3600 + Number(m[5] ?? 0) * 60 + Number(m[6] ?? 0));
  const digits = (m[7] ?? '').padEnd(9, '0');
  if (!/^0*$/.test(digits.slice(6))) throw new DeltaTableError(`timestamp "${text}" is finer than microseconds`);
  let micros = days * MICROS_PER_DAY + seconds * 1_000_000n + BigInt(digits.slice(0, 6));
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1n : 1n;
    const hhmm = zone.slice(1).replace(':', '');
    micros -= sign * BigInt(Number(hhmm.slice(0, 2)) * 3600 + Number(hhmm.slice(2) || 0) * 60) * 1_000_000n;
  }
  return micros;
}

/** Days since the epoch of `YYYY-MM-DD`. */
export function parseDateDays(text: string): number {
  const m = /^([+-]?\d{4,})-(\d{1,2})-(\d{1,2})$/.exec(text.trim());
  if (!m) throw new DeltaTableError(`"${text}" is not a date`);
  return daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** The unscaled integer of a decimal's text at `scale`; fails when the text has more non-zero fraction digits. */
export function parseDecimalUnscaled(text: string, scale: number): bigint {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new DeltaTableError(`"${text}" is not a decimal`);
  let int = m[2] || '0';
  let frac = m[3] ?? '';
  const exp = Number(m[4] ?? 0);
  if (exp > 0) {
    const moved = frac.padEnd(exp, '0');
    int += moved.slice(0, exp);
    frac = moved.slice(exp);
  } else if (exp < 0) {
    const moved = int.padStart(-exp + 1, '0');
    frac = moved.slice(exp) + frac;
    int = moved.slice(0, exp);
  }
  if (!/^0*$/.test(frac.slice(scale))) throw new DeltaTableError(`decimal "${text}" has more than ${scale} fraction digits`);
  const unscaled = BigInt(int + frac.slice(0, scale).padEnd(scale, '0'));
  return m[1] === '-' ? -unscaled : unscaled;
}

