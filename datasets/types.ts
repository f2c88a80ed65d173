/**
 * The dataset model: a versioned set of files changed by SNAPSHOT, APPEND and UPDATE
 * transactions. docs/dataset-format.md describes how it is laid out on disk or in S3.
 */

/** SNAPSHOT replaces every file; APPEND adds files at new paths; UPDATE adds or replaces paths. */
export type TransactionType = 'SNAPSHOT' | 'APPEND' | 'UPDATE';

/** Where a landed file came from. */
export interface Provenance {
  bucket: string;
  key: string;
  etag: string;
  versionId?: string;
  size: number;
  lastModified: string;
}

/**
 * The check a file's bytes passed as they were read: a full-object checksum of the source
 * (`sha256`, `crc32`, `crc32c`, `sha1`, `crc64nvme`), its single-part ETag (`md5-etag`), a
 * per-part check of a multipart object (its ETag, the MD5 of the parts' MD5s, or its composite
 * checksum, the checksum of the parts' checksums), or only the size.
 */
export type VerifiedBy = 'sha256' | 'crc32' | 'crc32c' | 'sha1' | 'md5-etag' | 'crc64nvme'
  | 'multipart-md5-etag' | 'composite-crc32' | 'composite-crc32c' | 'composite-sha1' | 'composite-sha256' | 'size-only';

/** Where a file a table sync wrote came from: the table, its version, and the data file whose rows it holds. */
export interface TableProvenance {
  /** The `virtualTables:` name. */
  name: string;
  /** The table version whose rows the file holds (Delta); absent for tables without versions. */
  version?: number;
  /** Iceberg: the snapshot whose rows the file holds (64-bit id, decimal text): the one that appended them, or the snapshot landed. */
  snapshotId?: string;
  /** The data file read, relative to the table's root. */
  file: string;
  /** The file's index among those cut from that data file (rowsPerFile), from 0. */
  chunk: number;
  /** Rows in the file. */
  rows: number;
}

/** One file of a dataset. `blob` is the store path of its bytes; `sha256` was computed while streaming. */
export interface FileEntry {
  path: string;
  size: number;
  sha256: string;
  blob: string;
  source: Provenance;
  /**
   * What the bytes read were compared with (docs/dataset-format.md lists each): a full-object
   * checksum, the single-part (MD5) ETag, a per-part check, or only the size; `written` when the
   * connector wrote the bytes itself (a table sync's Parquet files, hashed as they were written).
   */
  verifiedBy: VerifiedBy | 'written';
  mediaType?: string;
  metadata?: Record<string, unknown>;
  /**
   * Set when the source object was encrypted on the client side (a `clientKms` source) and the
   * dataset holds its plaintext: the envelope's format and the KMS key (docs/dataset-format.md).
   * `size` and `sha256` are then the plaintext's; `verifiedBy` and `source` the ciphertext's.
   */
  decrypted?: { format: 'v2' | 'v3-committing' | 'legacy-v1-cbc' | 'legacy-v2-cbc' | 'legacy-v2-gcm'; keyId: string };
  /** Table syncs: the table rows the file holds (`source` is then the table's data file, its `etag` empty). */
  table?: TableProvenance;
}

/**
 * A table sync's cursor, saved in the record of the transaction that landed it, so that landing
 * the rows and moving the cursor are one atomic step (the record's exclusive creation).
 */
export interface TableCursor {
  /** The table sync job. */
  job: string;
  /** The `virtualTables:` name. */
  table: string;
  /** The last table version landed (Delta); absent for tables without versions (snapshots). */
  version?: number;
  /** The Delta table's id (its metaData id), or the Iceberg table's table-uuid: a table replaced under the same name is refused. */
  tableId?: string;
  /** Iceberg: the last snapshot landed (64-bit id, decimal text: exact). */
  snapshotId?: string;
}

/** A committed transaction. Its files are listed in manifest parts (JSON lines of FileEntry). */
export interface TransactionRecord {
  /** 1, 2, 3...: the record's file name; a transaction's parent is id - 1. */
  id: number;
  type: TransactionType;
  committedAt: string;
  /** The run that produced it: lets a retried commit recognise its own earlier success. */
  runKey: string;
  job?: string;
  /** Store paths of manifest parts, in order. */
  manifests: string[];
  fileCount: number;
  bytes: number;
  /** Store paths of this job's incremental index after this transaction (sorted JSON lines). */
  index?: { job: string; parts: string[] };
  /** Table syncs: the table version this transaction landed through. */
  tableCursor?: TableCursor;
}
