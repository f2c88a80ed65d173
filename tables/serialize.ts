/**
 * Rows as JSON text that loses nothing: 64-bit integers (bigints) are written as bare JSON
 * numbers with all their digits (JSON numbers have no size limit; a reader that parses them into
 * doubles is the reader's choice, e.g. Python's json keeps them exact); decimals, dates and
 * timestamps are the reader's exact strings (`"12345.6700"`, `"2024-01-02"`,
 * `"2024-01-02T03:04:05.123456Z"`); binary is base64; a map with string keys is an object, any
 * other map a list of `[key, value]` pairs; structs are objects in schema order. Floats that JSON
 * cannot write (NaN, ±Infinity) are the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
 */
import type { TableValue } from './values';

/** Characters JSON.stringify escapes in a string (quote, backslash, controls, lone-surrogate candidates). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON text of a string: most strings need no escape, and quoting them is much cheaper than JSON.stringify's call. */
function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** Object keys as `"key":`, cached: a table has few column names and writes them on every row. */
const keyTexts = new Map<string, string>();

function keyText(k: string): string {
  let text = keyTexts.get(k);
  if (text === undefined) {
    text = `${jsonString(k)}:`;
    if (keyTexts.size < 4096) keyTexts.set(k, text);
  }
  return text;
}

/** The JSON text of one value. */
export function jsonOfValue(value: TableValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean': return value ? 'true' : 'false';
    case 'bigint': return value.toString();
    case 'string': return jsonString(value);
    case 'number':
      // String() of a finite number is JSON.stringify's text.
      if (Number.isFinite(value)) return Object.is(value, -0) ? '-0.0' : String(value);
      return JSON.stringify(Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity');
    default: break;
  }
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
  if (Array.isArray(value)) return `[${value.map(jsonOfValue).join(',')}]`;
  if (value instanceof Map) {
    const entries = [...value];
    if (entries.every(([k]) => typeof k === 'string')) return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonOfValue(v)}`).join(',')}}`;
    return `[${entries.map(([k, v]) => `[${jsonOfValue(k)},${jsonOfValue(v)}]`).join(',')}]`;
  }
  let out = '{';
  for (const k in value) {
    if (out.length > 1) out += ',';
    out += keyText(k) + jsonOfValue(value[k] as TableValue);
  }
  return `${out}}`;
}

/** One row as a JSON line (without the newline): its columns in the row's order. */
export function jsonLineOfRow(row: Record<string, TableValue>): string {
  return jsonOfValue(row);
}

/**
 * Parses a JSON line written by {@link jsonLineOfRow}, keeping integers beyond 2^53 exact (as
 * bigints) — for tests and tools that compare rows. Other numbers are doubles.
 */
export function parseJsonLineExact(line: string): unknown {
  // Quote every bare integer too long for a double, outside strings, then turn them back into bigints.
  const marked = line.replace(/"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![.eE\d])/g, (m) => (m.startsWith('"') ? m : `"\\u0000big:${m}"`));
  return JSON.parse(marked, (_key, v: unknown) => (typeof v === 'string' && v.startsWith('\u0000big:') ? BigInt(v.slice(5)) : v));
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF, or leading or trailing space. */
function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV header line of `columns` (without the line end). */
export function csvHeader(columns: string[]): string {
  return columns.map(csvField).join(',');
}

/**
 * One row as a CSV line (without the line end), the columns in `columns`' order: null is an
 * empty field, strings as they are (decimals, dates and timestamps keep their exact text), numbers
 * and 64-bit integers with all their digits, binary as base64, lists, maps and structs as their
 * JSON text ({@link jsonOfValue}). An empty string is `""`, so it differs from null.
 */
export function csvLineOfRow(row: Record<string, TableValue>, columns: string[]): string {
  return columns.map((c) => {
    const value = row[c] ?? null;
    if (value === null) return '';
    if (typeof value === 'string') return value === '' ? '""' : csvField(value);
    if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
    if (typeof value === 'number') return Number.isFinite(value) ? (Object.is(value, -0) ? '-0.0' : String(value)) : Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    return csvField(jsonOfValue(value));
  }).join(',');
}
