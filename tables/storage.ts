/**
 * The I/O a table reader needs, and nothing more: list a prefix (keys with sizes and times),
 * read a whole object, read a byte range. Keys are relative to the table's root, with `/` as
 * separator and no leading slash. A local folder implements it for tests (storage-local.ts);
 * the S3 one (a source's bucket and prefix) comes with the registry.
 */

/** One object seen by a listing. */
export interface StoredObject {
  /** Key relative to the storage root, e.g. `_delta_log/00000000000000000000.json`. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** Last modification, in milliseconds since the epoch (S3's LastModified, a file's mtime). */
  lastModified: number;
}

/** Options of {@link TableStorage.list}. */
export interface ListOptions {
  /** Only keys strictly after this one (S3 ListObjectsV2 StartAfter); a full key, not relative to the prefix. */
  startAfter?: string;
}

/** Read-only access to the objects below a table's root. */
export interface TableStorage {
  /** Where the root is, for messages: `s3://bucket/prefix/` or a folder path. */
  readonly location: string;
  /** Every object whose key starts with `prefix`, in ascending key order (UTF-8 byte order), recursively. */
  list(prefix: string, options?: ListOptions): AsyncIterable<StoredObject>;
  /** The whole object. Throws {@link TableObjectNotFoundError} when there is none. */
  read(key: string): Promise<Uint8Array>;
  /** Bytes [start, end) of the object. Throws {@link TableObjectNotFoundError} when there is none. */
  readRange(key: string, start: number, end: number): Promise<Uint8Array>;
  /**
   * The key of an absolute URI (`s3://bucket/...`, `file:///...`) if it lies below the root.
   * Throws {@link TableOutsideRootError} otherwise: a table never reads outside its root.
   */
  keyOfUri(uri: string): string;
}

/** An object that does not exist (a missing `_last_checkpoint`, a data file vacuumed away). */
export class TableObjectNotFoundError extends Error {
  override readonly name = 'TableObjectNotFoundError';
  /** @param key the key that was read, relative to the root */
  constructor(readonly key: string, location: string) {
    super(`no object "${key}" in ${location}`);
  }
}

/** A path in table metadata that points outside the table's root: refused, never followed. */
export class TableOutsideRootError extends Error {
  override readonly name = 'TableOutsideRootError';
  /** @param uri the absolute URI that was refused */
  constructor(readonly uri: string, location: string) {
    super(`path "${uri}" lies outside the table root ${location}; a table's files must be below its root, so it is refused`);
  }
}

/** Checks a relative key: no empty, `.` or `..` segment, no leading slash. Returns it unchanged. */
export function checkRelativeKey(key: string, location: string): string {
  const parts = key.split('/');
  if (key.startsWith('/') || parts.some((p, i) => p === '..' || p === '.' || (p === '' && i < parts.length - 1))) {
    throw new TableOutsideRootError(key, location);
  }
  return key;
}

/** The shape hyparquet reads Parquet through (its AsyncBuffer). */
export interface ByteSource {
  byteLength: number;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
}

/** A {@link ByteSource} over one object of known size, for hyparquet. */
export function byteSourceOf(storage: TableStorage, key: string, size: number): ByteSource {
  return {
    byteLength: size,
    async slice(start: number, end: number = size): Promise<ArrayBuffer> {
      const bytes = await storage.readRange(key, start, Math.min(end, size));
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}
