/**
 * Copies one object into the dataset store: streamed (constant memory), pinned to the listed
 * ETag with If-Match so bytes of two versions are never mixed, hashed with SHA-256 on the way
 * and verified against the source's own checksum when it has one.
 */
import type { StoreBackend } from '../datasets/backend';
import type { FileEntry } from '../datasets/types';
import { etagMd5, kmsEncrypted } from '../s3/checksums';
import type { SourceClient } from '../s3/client';
import { S3OperationError } from '../s3/errors';
import type { CopyCandidate } from './incremental-index';

const CHECK_NAMES = { 'sha256': 'SHA-256 checksum', 'crc32': 'CRC32 checksum', 'md5-etag': 'MD5 ETag', 'crc64nvme': 'CRC-64/NVME checksum', 'size-only': 'size' } as const;

/** What the bytes read are compared with, and the expected value (hex). */
interface SourceCheck {
  kind: FileEntry['verifiedBy'];
  expected?: string;
}

/**
 * Picks the cheapest end-to-end check the source offers. A full-object SHA-256 costs nothing
 * (the dataset computes SHA-256 anyway); CRC32 costs ~0.3 ms per MB; MD5 (a single-part ETag)
 * ~1.6 ms per MB; CRC-64/NVME (JavaScript, datasets/crc64nvme.ts) ~3.4 ms per MB, so it is
 * used when it is the only full check: mostly multipart objects AWS stored without a checksum
 * of the uploader's. Composite (per-part) checksums and CRC32C cannot be compared here.
 */
function sourceCheck(etag: string, header: (name: string) => string | undefined): SourceCheck {
  const fullObject = header('x-amz-checksum-type') !== 'COMPOSITE';
  const hex = (name: string) => Buffer.from(header(name)!, 'base64').toString('hex');
  if (fullObject && header('x-amz-checksum-sha256')) return { kind: 'sha256', expected: hex('x-amz-checksum-sha256') };
  if (fullObject && header('x-amz-checksum-crc32')) return { kind: 'crc32', expected: hex('x-amz-checksum-crc32') };
  const md5 = etagMd5(etag);
  const kms = kmsEncrypted({ ServerSideEncryption: header('x-amz-server-side-encryption'), SSEKMSKeyId: header('x-amz-server-side-encryption-aws-kms-key-id') });
  if (md5 && !kms) return { kind: 'md5-etag', expected: md5 };
  if (fullObject && header('x-amz-checksum-crc64nvme')) return { kind: 'crc64nvme', expected: hex('x-amz-checksum-crc64nvme') };
  return { kind: 'size-only' };
}

/** Copies `object` and returns its file entry (without `path`, which the caller decides). */
export async function copyObject(client: SourceClient, store: StoreBackend, blobDir: string, object: CopyCandidate,
  onBytes: (n: number) => void, signal?: AbortSignal): Promise<Omit<FileEntry, 'path'>> {
  const what = `GetObject s3://${client.bucket}/${object.key}`;
  const out = await client.read(object.key, { ifMatch: object.etag, checksums: true, signal });
  const header = (name: string) => (typeof out.headers[name] === 'string' ? out.headers[name] as string : undefined);
  const check = sourceCheck(object.etag, header);
  let blob;
  try {
    // The lean GET's body is an HTTP reply: its chunks are its own (see IngestOptions.ownedChunks).
    blob = await store.ingest(blobDir, out.body, { onBytes, sizeHint: object.size, md5: check.kind === 'md5-etag', crc32: check.kind === 'crc32',
      crc64nvme: check.kind === 'crc64nvme', ownedChunks: true });
  } catch (err) {
    if (err instanceof S3OperationError) throw err;
    // A stream cut mid-body (reset, socket timeout) is worth another attempt.
    throw new S3OperationError('transient', (err as NodeJS.ErrnoException).code ?? 'StreamError', `${what}: the body stream failed: ${(err as Error).message}`);
  }
  const mismatch = (how: string) => new S3OperationError('transient', 'ChecksumMismatch',
    `${what}: the bytes read do not match the source's ${how}; the copy is discarded and retried.`);
  if (blob.size !== object.size) throw mismatch(`size (${object.size} listed, ${blob.size} read)`);
  const read = { sha256: blob.sha256, crc32: blob.crc32, 'md5-etag': blob.md5, crc64nvme: blob.crc64nvme, 'size-only': undefined }[check.kind];
  if (read !== check.expected) throw mismatch(CHECK_NAMES[check.kind]);
  return {
    size: blob.size, sha256: blob.sha256, blob: blob.path, verifiedBy: check.kind,
    source: { bucket: client.bucket, key: object.key, etag: object.etag, versionId: header('x-amz-version-id'), size: object.size, lastModified: object.lastModified },
  };
}
