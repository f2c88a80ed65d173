/**
 * One data file a table sync run will read, as its plan stores it (JSON lines in the run's
 * staging): the table file's key and size, and for Delta the version that added it, its typed
 * partition values and its deletion vector. Partition values are exact values (tables/values.ts):
 * bigints and bytes are stored as tagged objects, since JSON has neither.
 */
import type { DeletionVectorDescriptor } from '../tables/delta/actions';
import type { TableValue } from '../tables/values';

/** A partition value in JSON: `{ "$long": "123" }` for a bigint, `{ "$binary": "<base64>" }` for bytes. */
export type StoredValue = null | boolean | number | string | { $long: string } | { $binary: string };

/** A data file to read. */
export interface PlannedFile {
  /** Its key relative to the table's root. */
  key: string;
  size: number;
  /** Its modification time (ms), for the provenance of what is written from it. */
  modificationTime: number;
  /** Delta: the version whose rows it holds (the version that added it, or the snapshot's). */
  version?: number;
  /** Iceberg: the snapshot that appended it (64-bit id, decimal text). */
  snapshotId?: string;
  /** Delta: typed partition values by logical column name. */
  partitionValues?: Record<string, StoredValue>;
  /** Delta: the rows deleted from it. */
  deletionVector?: DeletionVectorDescriptor;
}

/** A partition value as JSON. Partition values are primitive: a nested value is a bug. */
export function storeValue(value: TableValue): StoredValue {
  if (typeof value === 'bigint') return { $long: value.toString() };
  if (value instanceof Uint8Array) return { $binary: Buffer.from(value).toString('base64') };
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  throw new TypeError('a partition value must be a primitive value');
}

/** The exact value of a stored one. */
export function loadValue(value: StoredValue): TableValue {
  if (value !== null && typeof value === 'object') return '$long' in value ? BigInt(value.$long) : new Uint8Array(Buffer.from(value.$binary, 'base64'));
  return value;
}

/** Typed partition values as JSON. */
export function storeValues(values: Record<string, TableValue>): Record<string, StoredValue> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, storeValue(v)]));
}

/** Stored partition values, typed again. */
export function loadValues(values: Record<string, StoredValue> | undefined): Record<string, TableValue> {
  return Object.fromEntries(Object.entries(values ?? {}).map(([k, v]) => [k, loadValue(v)]));
}
