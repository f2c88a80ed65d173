/**
 * Paths in the log: URI-encoded, relative to the table root or absolute URIs (PROTOCOL.md "Add
 * File and Remove File"). Decoded here and turned into storage keys; an absolute path outside
 * the table's root is refused by the storage.
 */
import { checkRelativeKey, type TableStorage } from '../storage';
import { DeltaTableError } from './errors';

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/** Whether a log path is an absolute URI (`s3://...`, `file:/...`). */
export function isAbsoluteUri(path: string): boolean {
  return SCHEME.test(path);
}

/** The decoded form of a relative log path (`a%20b/c.parquet` -> `a b/c.parquet`). */
export function decodeLogPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new DeltaTableError(`path "${path}" in the log is not a valid URI-encoded path`);
  }
}

/** The storage key of a log path, relative to `base` (a folder key ending in `/`, or '' for the root). */
export function keyOfLogPath(storage: TableStorage, path: string, base = ''): string {
  if (isAbsoluteUri(path)) return storage.keyOfUri(path);
  return checkRelativeKey(base + decodeLogPath(path), storage.location);
}
