/**
 * The values rows and partition values carry, and their exact text forms. Every type keeps its
 * full precision: 64-bit integers are bigints, decimals are strings with exactly `scale`
 * fraction digits, dates are `YYYY-MM-DD`, timestamps are ISO 8601 with six fraction digits
 * (`...T12:00:00.123456Z` for `timestamp`, no zone for `timestamp_ntz`).
 */
import { DeltaTableError } from './errors';

/** A value of a row, a partition value or a statistic. */
export type DeltaValue =
  | null | boolean | number | bigint | string | Uint8Array
  | DeltaValue[] | Map<DeltaValue, DeltaValue> | { [field: string]: DeltaValue };

const MICROS_PER_DAY = 86_400_000_000n;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `YYYY-MM-DD` of days since 1970-01-01. */
export function formatDate(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const y = year < 0 ? `-${String(-year).padStart(4, '0')}` : String(year).padStart(4, '0');
  return `${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** ISO 8601 text of microseconds since the epoch, with six fraction digits; `Z` when `utc`. */
export function formatTimestampMicros(micros: bigint, utc: boolean): string {
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  const seconds = Number(rest / 1_000_000n);
  const fraction = String(rest % 1_000_000n).padStart(6, '0');
  const hh = String(Math.floor(seconds / 3600)).padStart(2, '0');
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return `${formatDate(Number(days))}T${hh}:${mm}:${ss}.${fraction}${utc ? 'Z' : ''}`;
}

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

/** The decimal text of an unscaled integer at `scale` (`12345`, 2 -> `123.45`). */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale <= 0) return (negative ? '-' : '') + digits + '0'.repeat(-scale);
  const padded = digits.padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
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

/** The signed big-endian two's-complement integer of Parquet's binary decimals. */
export function bigintFromBytes(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return (bytes[0] as number) & 0x80 ? v - (1n << BigInt(bytes.length * 8)) : v;
}

/** Microseconds for `amount` of a unit, rounding toward negative infinity for nanoseconds. */
export function toMicros(amount: bigint, unit: 'millis' | 'micros' | 'nanos'): bigint {
  if (unit === 'millis') return amount * 1000n;
  if (unit === 'micros') return amount;
  const q = amount / 1000n;
  return amount % 1000n < 0n ? q - 1n : q;
}
