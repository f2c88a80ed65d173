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

/** One file of a dataset. `blob` is the store path of its bytes; `sha256` was computed while streaming. */
export interface FileEntry {
  path: string;
  size: number;
  sha256: string;
  blob: string;
  source: Provenance;
  /** What the bytes read were compared with: the source's SHA-256 or CRC32 checksum, its MD5 ETag, or only the size. */
  verifiedBy: 'sha256' | 'crc32' | 'md5-etag' | 'crc64nvme' | 'size-only';
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
