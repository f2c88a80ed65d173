/**
 * The values table rows carry, whatever the format (Delta, Parquet, Avro), and their exact text
 * forms. Every type keeps its full precision: 64-bit integers are bigints, decimals are strings
 * with exactly `scale` fraction digits, dates are `YYYY-MM-DD`, timestamps are ISO 8601 with six
 * fraction digits (`...T12:00:00.123456Z` for a UTC timestamp, no zone for one without a zone).
 */

/** A value of a row, a partition value or a statistic. */
export type TableValue =
  | null | boolean | number | bigint | string | Uint8Array
  | TableValue[] | Map<TableValue, TableValue> | { [field: string]: TableValue };

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

/** The decimal text of an unscaled integer at `scale` (`12345`, 2 -> `123.45`). */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale <= 0) return (negative ? '-' : '') + digits + '0'.repeat(-scale);
  const padded = digits.padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
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
