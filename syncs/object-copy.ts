/**
 * Copies one object into the dataset store: streamed (constant memory), pinned to the listed
 * ETag with If-Match so bytes of two versions are never mixed, hashed with SHA-256 on the way
 * and verified against the source's own checksum or ETag, part by part for multipart objects.
 */
import type { StoreBackend } from '../datasets/backend';
import type { DigestChoice, PartAlgorithm, StreamDigests } from '../datasets/digests';
import type { FileEntry, VerifiedBy } from '../datasets/types';
import { etagMd5, etagParts, kmsEncrypted, multipartEtagHex, parseStoredChecksum } from '../s3/checksums';
import type { SourceClient } from '../s3/client';
import { S3OperationError } from '../s3/errors';
import { partLayout, partSizes, sameLayout, type PartLayout } from '../s3/part-layout';
import { resumableBody } from '../s3/resumable-body';
import type { RetryBudget } from '../s3/retry';
import { openObject, type DecryptionRecord } from '../crypto/decrypt-object';
import { TagMismatchError } from '../crypto/gcm-decrypt';
import { ingestDecrypted } from './decrypting-ingest';
import type { CopyCandidate } from './incremental-index';

const CHECK_NAMES: Record<VerifiedBy, string> = {
  'sha256': 'SHA-256 checksum', 'crc32': 'CRC32 checksum', 'crc32c': 'CRC32C checksum', 'sha1': 'SHA-1 checksum', 'md5-etag': 'MD5 ETag',
  'crc64nvme': 'CRC-64/NVME checksum', 'multipart-md5-etag': "multipart ETag (the MD5 of its parts' MD5s)",
  'composite-crc32': 'composite CRC32 checksum', 'composite-crc32c': 'composite CRC32C checksum', 'composite-sha1': 'composite SHA-1 checksum',
  'composite-sha256': 'composite SHA-256 checksum', 'size-only': 'size',
};

/** What the bytes read are compared with: the digests to compute besides SHA-256, and the value expected. */
export interface SourceCheck {
  kind: VerifiedBy;
  digests: DigestChoice & { md5?: boolean };
  /** The value computed, off the blob's digests (per-part checks: `<digest>-<parts>`). */
  computed: (d: StreamDigests) => string | undefined;
  expected?: string;
}

const SIZE_ONLY: SourceCheck = { kind: 'size-only', digests: {}, computed: () => undefined };

/** Composite checksums in the order they are preferred: native code first, then CRC32C in JavaScript. */
const COMPOSITE = ['crc32', 'sha1', 'sha256', 'crc32c'] as const satisfies readonly PartAlgorithm[];

const perPart = (d: StreamDigests) => d.parts && `${d.parts.digest}-${d.parts.count}`;

/**
 * Picks the cheapest end-to-end check the source offers, one extra digest at most. Full-object
 * checksums need no layout: SHA-256 costs nothing (the dataset computes it anyway), then CRC32,
 * SHA-1 (native), the single-part MD5 ETag, CRC32C and CRC-64/NVME (JavaScript, crc32c.ts and
 * crc64nvme.ts, so only when they are the only full check: CRC-64/NVME is what AWS stores on
 * objects uploaded without a checksum, multipart ones included). A multipart object without
 * one is checked part by part along `layout`: by its composite checksum (the checksum of the
 * parts' checksums, `-<parts>`) where it carries one, else by its ETag (the MD5 of the parts'
 * MD5s, `-<parts>`) unless SSE-KMS or SSE-C make it no MD5. Size only where none of these is
 * there.
 */
export function sourceCheck(etag: string, header: (name: string) => string | undefined, layout: PartLayout | undefined): SourceCheck {
  const stored = (algorithm: string) => parseStoredChecksum(header(`x-amz-checksum-${algorithm}`));
  const composite = header('x-amz-checksum-type') === 'COMPOSITE';
  const full = (algorithm: string) => {
    const checksum = stored(algorithm);
    return checksum && checksum.parts === undefined && !composite ? checksum.hex : undefined;
  };
  // SSE-KMS and SSE-C objects' ETags are no MD5 of their bytes.
  const etagIsMd5 = !kmsEncrypted({ ServerSideEncryption: header('x-amz-server-side-encryption'), SSEKMSKeyId: header('x-amz-server-side-encryption-aws-kms-key-id') })
    && header('x-amz-server-side-encryption-customer-algorithm') === undefined;
  let expected: string | undefined;
  if ((expected = full('sha256'))) return { kind: 'sha256', digests: {}, computed: (d) => d.sha256, expected };
  if ((expected = full('crc32'))) return { kind: 'crc32', digests: { crc32: true }, computed: (d) => d.crc32, expected };
  if ((expected = full('sha1'))) return { kind: 'sha1', digests: { sha1: true }, computed: (d) => d.sha1, expected };
  if ((expected = etagMd5(etag)) && etagIsMd5) return { kind: 'md5-etag', digests: { md5: true }, computed: (d) => d.md5, expected };
  if ((expected = full('crc32c'))) return { kind: 'crc32c', digests: { crc32c: true }, computed: (d) => d.crc32c, expected };
  if ((expected = full('crc64nvme'))) return { kind: 'crc64nvme', digests: { crc64nvme: true }, computed: (d) => d.crc64nvme, expected };
  if (!layout) return SIZE_ONLY;
  for (const algorithm of COMPOSITE) {
    const checksum = stored(algorithm);
    // A value without `-<parts>` is composite only when the store says so (x-amz-checksum-type).
    if (!checksum || (checksum.parts === undefined && !composite) || (checksum.parts ?? layout.count) !== layout.count) continue;
    return { kind: `composite-${algorithm}`, digests: { parts: { algorithm, sizes: layout.sizes } }, computed: perPart, expected: `${checksum.hex}-${layout.count}` };
  }
  const md5s = multipartEtagHex(etag);
  if (md5s && etagIsMd5 && etagParts(etag) === layout.count) {
    return { kind: 'multipart-md5-etag', digests: { parts: { algorithm: 'md5', sizes: layout.sizes } }, computed: perPart, expected: `${md5s}-${layout.count}` };
  }
  return SIZE_ONLY;
}

/** Bodies larger than this resume after a reset (smaller ones are read again whole: a resume would save little). */
const RESUMABLE_FROM_BYTES = 1024 * 1024;

/**
 * Copies `object` and returns its file entry (without `path`, which the caller decides). A
 * multipart object's layout is read before its GET, never while the GET holds a connection:
 * copies as many as the source's connections would otherwise each hold one and wait for another.
 */
export async function copyObject(client: SourceClient, store: StoreBackend, blobDir: string, object: CopyCandidate,
  onBytes: (n: number) => void, signal?: AbortSignal, budget: RetryBudget = { remaining: 0 }): Promise<Omit<FileEntry, 'path'>> {
  const parts = etagParts(object.etag);
  const layout = parts === undefined ? undefined
    : await partLayout(client, { key: object.key, etag: object.etag, size: object.size, parts }, signal);
  return copyAlong(client, store, blobDir, object, onBytes, signal, layout, budget);
}

async function copyAlong(client: SourceClient, store: StoreBackend, blobDir: string, object: CopyCandidate,
  onBytes: (n: number) => void, signal: AbortSignal | undefined, layout: PartLayout | undefined, budget: RetryBudget): Promise<Omit<FileEntry, 'path'>> {
  const what = `GetObject s3://${client.bucket}/${object.key}`;
  const out = await client.read(object.key, { ifMatch: object.etag, checksums: true, signal });
  // A large body cut by a reset goes on from where it stopped, not from its first byte.
  const body = object.size > RESUMABLE_FROM_BYTES
    ? resumableBody(out.body, { what, budget, signal, reopen: (fromByte) => client.read(object.key, { ifMatch: object.etag, signal, fromByte }) })
    : out.body;
  const header = (name: string) => (typeof out.headers[name] === 'string' ? out.headers[name] as string : undefined);
  const check = sourceCheck(object.etag, header, layout);
  // A clientKms source's objects are decrypted on the way in (crypto/decrypt-object.ts).
  let opened;
  try {
    opened = client.kms ? await openObject(client, object.key, out.headers, signal) : undefined;
  } catch (err) {
    out.body.destroy();
    throw err;
  }
  let decrypted: DecryptionRecord | undefined;
  let blob;
  let checked;
  try {
    if (opened && 'decryptor' in opened) {
      decrypted = opened.record;
      const landed = await ingestDecrypted(store, blobDir, body, opened.decryptor, check.digests, onBytes);
      blob = landed.blob;
      checked = landed.ciphertext;
    } else {
      // The lean GET's body is an HTTP reply: its chunks are its own (see IngestOptions.ownedChunks).
      blob = await store.ingest(blobDir, body, { onBytes, sizeHint: object.size, md5: false, ...check.digests, ownedChunks: true });
      checked = blob;
    }
  } catch (err) {
    if (err instanceof S3OperationError) throw err;
    if (err instanceof TagMismatchError) {
      throw new S3OperationError('permanent', 'DecryptionFailed', `${what}: ${err.message}; the object was altered or its envelope does not belong to it. No byte of it was kept.`);
    }
    // A stream cut mid-body (reset, socket timeout) is worth another attempt.
    throw new S3OperationError('transient', (err as NodeJS.ErrnoException).code ?? 'StreamError', `${what}: the body stream failed: ${(err as Error).message}`);
  }
  const mismatch = (how: string) => new S3OperationError('transient', 'ChecksumMismatch',
    `${what}: the bytes read do not match the source's ${how}; the copy is discarded.`);
  if (checked.size !== object.size) throw mismatch(`size (${object.size} listed, ${checked.size} read)`);
  if (check.computed(checked) !== check.expected) {
    if (check.digests.parts && layout && !layout.exact) {
      // Parts were assumed equal: if they are not, read again along their real sizes (rare:
      // parts of different sizes come from UploadPartCopy concatenations, not uploaders).
      const sizes = await partSizes(client, { key: object.key, etag: object.etag, size: object.size, parts: layout.count }, signal);
      if (sizes && !sameLayout(layout, sizes)) return copyAlong(client, store, blobDir, object, () => {}, signal, { count: layout.count, sizes, exact: true }, budget);
    }
    const along = check.digests.parts && layout ? ` (${layout.count} parts${layout.exact ? '' : ` of ${layout.sizes[0]} bytes but the last`})` : '';
    throw mismatch(`${CHECK_NAMES[check.kind]}${along}`);
  }
  return {
    size: blob.size, sha256: blob.sha256, blob: blob.path, verifiedBy: check.kind,
    source: { bucket: client.bucket, key: object.key, etag: object.etag, versionId: header('x-amz-version-id'), size: object.size, lastModified: object.lastModified },
    ...(decrypted ? { decrypted } : {}),
  };
}
