/**
 * Copies one object into the dataset store: streamed (constant memory), pinned to the listed
 * ETag with If-Match so bytes of two versions are never mixed, hashed with SHA-256 on the way
 * and verified against the source's own checksum when it has one.
 */
import type { StoreBackend } from '../datasets/backend';
import type { FileEntry } from '../datasets/types';
import type { SourceClient } from '../s3/client';
import { S3OperationError } from '../s3/errors';
import type { CopyCandidate } from './incremental-index';

/** A single-part upload's ETag is the MD5 of its bytes; multipart ETags end in -<parts>. */
const SINGLE_PART_ETAG = /^"?([0-9a-f]{32})"?$/;

/** Copies `object` and returns its file entry (without `path`, which the caller decides). */
export async function copyObject(client: SourceClient, store: StoreBackend, blobDir: string, object: CopyCandidate,
  onBytes: (n: number) => void): Promise<Omit<FileEntry, 'path'>> {
  const what = `GetObject s3://${client.bucket}/${object.key}`;
  const out = await client.read(object.key, { ifMatch: object.etag, checksums: true });
  // MD5 is worth computing only when the ETag is one (single-part, not SSE-KMS) and no SHA-256 came.
  const md5 = SINGLE_PART_ETAG.exec(object.etag)?.[1];
  const header = (name: string) => (typeof out.headers[name] === 'string' ? out.headers[name] as string : undefined);
  let blob;
  try {
    const needMd5 = md5 !== undefined && !out.headers['x-amz-checksum-sha256'];
    blob = await store.ingest(blobDir, out.body, { onBytes, sizeHint: object.size, md5: needMd5 });
  } catch (err) {
    if (err instanceof S3OperationError) throw err;
    // A stream cut mid-body (reset, socket timeout) is worth another attempt.
    throw new S3OperationError('transient', (err as NodeJS.ErrnoException).code ?? 'StreamError', `${what}: the body stream failed: ${(err as Error).message}`);
  }
  const mismatch = (how: string) => new S3OperationError('transient', 'ChecksumMismatch',
    `${what}: the bytes read do not match the source's ${how}; the copy is discarded and retried.`);
  if (blob.size !== object.size) throw mismatch(`size (${object.size} listed, ${blob.size} read)`);
  let verifiedBy: FileEntry['verifiedBy'] = 'size-only';
  const checksum = header('x-amz-checksum-sha256');
  const sourceSha = checksum && header('x-amz-checksum-type') !== 'COMPOSITE' ? Buffer.from(checksum, 'base64').toString('hex') : undefined;
  if (sourceSha) {
    if (sourceSha !== blob.sha256) throw mismatch('SHA-256 checksum');
    verifiedBy = 'sha256';
  } else if (md5 && !header('x-amz-server-side-encryption-aws-kms-key-id') && !header('x-amz-server-side-encryption')?.startsWith('aws:kms')) {
    // With SSE-KMS the ETag is not the MD5 of the plaintext, so it cannot be compared.
    if (md5 !== blob.md5) throw mismatch('MD5 ETag');
    verifiedBy = 'md5-etag';
  }
  return {
    size: blob.size, sha256: blob.sha256, blob: blob.path, verifiedBy,
    source: { bucket: client.bucket, key: object.key, etag: object.etag, versionId: header('x-amz-version-id'), size: object.size, lastModified: object.lastModified },
  };
}
