/**
 * Iceberg's JSON (table metadata) parsed without losing precision: snapshot ids, sequence
 * numbers and file ids are 64-bit, so every integer beyond 2^53 becomes a bigint, from the
 * reviver's source text (Node 22+); plain JSON.parse would round them.
 */
import { IcebergTableError } from './errors';

type SourceReviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

/** Integers beyond 2^53 as bigints (their source text), every other value as JSON.parse gives it. */
const exact: SourceReviver = (_key, value, context) => {
  if (typeof value !== 'number' || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  if (source === undefined) throw new IcebergTableError('this runtime gives JSON revivers no source text (Node 22+ is needed to read 64-bit ids exactly)');
  return /^-?\d+$/.test(source) ? BigInt(source) : value;
};

/** Parses `text` (from `where`, for messages) keeping 64-bit integers exact. */
export function parseExactJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text, exact as (key: string, value: unknown) => unknown);
  } catch (err) {
    if (err instanceof IcebergTableError) throw err;
    throw new IcebergTableError(`${where} is not JSON: ${(err as Error).message}`);
  }
}

/** A 64-bit integer field (a snapshot id, a sequence number) as a bigint; fails naming the field when it is not an integer. */
export function int64Of(value: unknown, field: string, where: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new IcebergTableError(`${where}: ${field} is ${JSON.stringify(String(value))}, not an integer`);
}

/** A 32-bit integer field (a schema, spec or field id); fails naming the field when it is not one. */
export function int32Of(value: unknown, field: string, where: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new IcebergTableError(`${where}: ${field} is ${JSON.stringify(String(value))}, not an integer`);
}

/** An object field; fails naming it otherwise. */
export function objectOf(value: unknown, field: string, where: string): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new IcebergTableError(`${where}: ${field} is not an object`);
}

/** An array field; fails naming it otherwise. */
export function arrayOf(value: unknown, field: string, where: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new IcebergTableError(`${where}: ${field} is not a list`);
}

/** A string field; fails naming it otherwise. */
export function stringOf(value: unknown, field: string, where: string): string {
  if (typeof value === 'string') return value;
  throw new IcebergTableError(`${where}: ${field} is not a string`);
}
