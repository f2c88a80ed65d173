/**
 * What export uploads share: the target of one upload, how its bytes are read and refused, S3
 * errors of exports named with the permission and statement that grant them (checksum helpers:
 * s3/checksums.ts).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { SourceClient } from '../s3/client';
import { kmsEncrypted } from '../s3/checksums';
import { classifyS3Error, S3OperationError } from '../s3/errors';
import { grantingStatement } from '../shared/permissions';

/**
 * Read size when streaming a local dataset file: a quarter of the writes to the socket that fs's
 * 64 KiB default makes, while 16 uploads in flight hold only 4 MiB of buffers.
 */
export const STREAM_READ_BYTES = 256 * 1024;

/**
 * Replies by which the store refuses bytes that do not match what was signed or announced:
 * XAmzContentSHA256Mismatch (the signed payload hash; S3 and MinIO), XAmzContentChecksumMismatch
 * (MinIO) and BadDigest (S3) for x-amz-checksum-sha256, and BodyLengthMismatch (s3/request-body.ts:
 * the file is not the size recorded). All are 400s, which classify as permanent; whether they are
 * depends on the dataset file (put-object.ts `refused`, multipart.ts `uploadPart`).
 */
export const PAYLOAD_REFUSED = new Set(['XAmzContentSHA256Mismatch', 'XAmzContentChecksumMismatch', 'BadDigest', 'BodyLengthMismatch']);

/** One file going to one key. */
export interface UploadTarget {
  client: SourceClient;
  key: string;
  /** The dataset file: its size, its recorded SHA-256 (hex) and a way to read its bytes. */
  size: number;
  sha256: string;
  open: () => Promise<Readable>;
  /**
   * The same bytes as a local file, when the dataset store is a folder: multipart uploads then
   * read each part by range instead of holding it in memory.
   */
  localPath?: string;
  cannedAcl?: string;
  /** User metadata stored with the object (without `x-amz-meta-`): a client-side encrypted file's envelope. */
  metadata?: Record<string, string>;
  /** Aborted when the activity is cancelled. */
  signal?: AbortSignal;
}

/** A stored and verified object. */
export interface UploadedObject {
  key: string;
  size: number;
  etag: string;
  /**
   * What the stored object was compared with: `sha256` (the store's SHA-256 checksum of the bytes
   * it stored, against the dataset's record), `md5-etag` (the ETag against the MD5 of the bytes
   * read), both (multipart), or `checksum-header` / `part-checksums` when the store returned
   * neither and only checked the checksums sent.
   */
  verifiedBy: string;
  /** Multipart uploads: the number of parts. */
  parts?: number;
}

/**
 * Classifies an S3 error of an export call. AccessDenied names the permission; with a canned ACL
 * it also names s3:PutObjectAcl, which AWS requires for the x-amz-acl header.
 */
export function exportS3Error(err: unknown, operation: string, target: UploadTarget): S3OperationError {
  const e = classifyS3Error(err, operation, target.client.bucket, `${operation} s3://${target.client.bucket}/${target.key}`);
  if (e.code === 'AccessDenied' && target.cannedAcl && operation !== 'AbortMultipartUpload') {
    return new S3OperationError(e.kind, e.code, `${e.message} With cannedAcl ${target.cannedAcl}, AWS also requires s3:PutObjectAcl: `
      + `${grantingStatement('s3:PutObjectAcl', target.client.bucket)}.`, e.status);
  }
  return e;
}

/** The error of an object whose stored checksum or ETag differs from what was sent. */
export function verificationFailed(target: UploadTarget, what: string): S3OperationError {
  return new S3OperationError('transient', 'ChecksumMismatch',
    `s3://${target.client.bucket}/${target.key}: the stored object's ${what} differs from the bytes sent; the upload is retried.`);
}

/** A header of a lean PUT's reply (s3/lean-client.ts), when it came once. */
export function replyHeader(reply: IncomingHttpHeaders, name: string): string | undefined {
  const value = reply[name];
  return typeof value === 'string' ? value : undefined;
}

/** Whether a lean PUT's reply says the object is SSE-KMS encrypted: its ETag is then not the MD5 of its bytes. */
export function kmsEncryptedReply(reply: IncomingHttpHeaders): boolean {
  return kmsEncrypted({
    ServerSideEncryption: replyHeader(reply, 'x-amz-server-side-encryption'),
    SSEKMSKeyId: replyHeader(reply, 'x-amz-server-side-encryption-aws-kms-key-id'),
  });
}
