/**
 * Copies one object into the dataset store: streamed (constant memory), pinned to the listed
 * ETag with If-Match so bytes of two versions are never mixed, hashed with SHA-256 on the way
 * and verified against the source's own checksum when it has one.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { StoreBackend } from '../datasets/backend';
import type { FileEntry } from '../datasets/types';
import type { SourceClient } from '../s3/client';
import { classifyS3Error, S3OperationError } from '../s3/errors';
import type { CopyCandidate } from './incremental-index';

/** A single-part upload's ETag is the MD5 of its bytes; multipart ETags end in -<parts>. */
const SINGLE_PART_ETAG = /^"?([0-9a-f]{32})"?$/;

/** Copies `object` and returns its file entry (without `path`, which the caller decides). */
export async function copyObject(client: SourceClient, store: StoreBackend, blobDir: string, object: CopyCandidate,
  onBytes: (n: number) => void): Promise<Omit<FileEntry, 'path'>> {
  const what = `GetObject s3://${client.bucket}/${object.key}`;
  let out;
  try {
    out = await client.s3.send(new GetObjectCommand({ Bucket: client.bucket, Key: object.key, IfMatch: object.etag, ChecksumMode: 'ENABLED' }));
  } catch (err) {
    throw classifyS3Error(err, 'GetObject', client.bucket, what);
  }
  let blob;
  try {
    blob = await store.ingest(blobDir, out.Body as Readable, onBytes);
  } catch (err) {
    if (err instanceof S3OperationError) throw err;
    // A stream cut mid-body (reset, socket timeout) is worth another attempt.
    throw new S3OperationError('transient', (err as NodeJS.ErrnoException).code ?? 'StreamError', `${what}: the body stream failed: ${(err as Error).message}`);
  }
  const mismatch = (how: string) => new S3OperationError('transient', 'ChecksumMismatch',
    `${what}: the bytes read do not match the source's ${how}; the copy is discarded and retried.`);
  if (blob.size !== object.size) throw mismatch(`size (${object.size} listed, ${blob.size} read)`);
  let verifiedBy: FileEntry['verifiedBy'] = 'size-only';
  const sourceSha = out.ChecksumSHA256 && out.ChecksumType !== 'COMPOSITE' ? Buffer.from(out.ChecksumSHA256, 'base64').toString('hex') : undefined;
  const md5 = SINGLE_PART_ETAG.exec(object.etag)?.[1];
  if (sourceSha) {
    if (sourceSha !== blob.sha256) throw mismatch('SHA-256 checksum');
    verifiedBy = 'sha256';
  } else if (md5 && !out.SSEKMSKeyId && out.ServerSideEncryption !== 'aws:kms') {
    // With SSE-KMS the ETag is not the MD5 of the plaintext, so it cannot be compared.
    if (md5 !== blob.md5) throw mismatch('MD5 ETag');
    verifiedBy = 'md5-etag';
  }
  return {
    size: blob.size, sha256: blob.sha256, blob: blob.path, verifiedBy,
    source: { bucket: client.bucket, key: object.key, etag: object.etag, versionId: out.VersionId, size: object.size, lastModified: object.lastModified },
  };
}
