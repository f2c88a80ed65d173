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

/** One file of a dataset. `blob` is the store path of its bytes; `sha256` was computed while streaming. */
export interface FileEntry {
  path: string;
  size: number;
  sha256: string;
  blob: string;
  source: Provenance;
  /** What the bytes read were compared with (docs/dataset-format.md lists each): a full-object checksum, the single-part (MD5) ETag, a per-part check, or only the size. */
  verifiedBy: VerifiedBy;
  mediaType?: string;
  metadata?: Record<string, unknown>;
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
}
