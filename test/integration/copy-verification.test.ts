import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, HeadObjectCommand, PutObjectCommand, UploadPartCommand, type ChecksumAlgorithm,
  type S3Client } from '@aws-sdk/client-s3';
import { localBackend } from '../../datasets/local-backend';
import { createSourceClient } from '../../s3/client';
import { S3OperationError } from '../../s3/errors';
import { copyObject } from '../../syncs/object-copy';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy';
import { adminS3, createBucket } from '../harness/minio-admin';
import { testEnv } from '../harness/test-env';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// Bodies up to 1 MiB are read whole and hashed at once; larger ones are hashed on a writing thread as they stream to disk.
const sizes = { small: 5_000, large: 3 * 1024 * 1024 + 17 };
const checks: Array<{ algorithm?: ChecksumAlgorithm; verifiedBy: string }> = [
  { algorithm: 'SHA256', verifiedBy: 'sha256' },
  { algorithm: 'CRC32', verifiedBy: 'crc32' },
  { verifiedBy: 'md5-etag' },
  // Multipart (its ETag is no MD5) with a full-object CRC-64/NVME, as AWS stores objects
  // uploaded without a checksum of their own.
  { algorithm: 'CRC64NVME', verifiedBy: 'crc64nvme' },
];

/** Puts `body` as a one-part multipart upload with a full-object CRC-64/NVME checksum. */
async function putMultipartCrc64(s3: S3Client, bucket: string, key: string, body: Buffer): Promise<void> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: 'CRC64NVME', ChecksumType: 'FULL_OBJECT' }));
  const part = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: body, ChecksumAlgorithm: 'CRC64NVME' }));
  // One part: the object's CRC is the part's, computed by the SDK's own implementation.
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, ChecksumType: 'FULL_OBJECT', ChecksumCRC64NVME: part.ChecksumCRC64NVME,
    MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag, ChecksumCRC64NVME: part.ChecksumCRC64NVME }] } }));
}

describe('a copied object is compared with the cheapest check its source offers', () => {
  let bucket: string;
  let storeRoot: string;
  let proxy: FaultProxy;
  const bodies = new Map<string, Buffer>();
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('verify');
    storeRoot = mkdtempSync(join(tmpdir(), 'verify-store-'));
    // Every GET body passes with one byte flipped: the one at 1,000,000, or the last of a shorter body.
    proxy = await startFaultProxy(testEnv().minio.endpoint, { faults: { get: { flip: { rate: 1, offset: 1_000_000 } } } });
    for (const [size, bytes] of Object.entries(sizes)) {
      for (const { algorithm, verifiedBy } of checks) {
        const key = `${size}/${verifiedBy}.bin`;
        const body = randomBytes(bytes);
        bodies.set(key, body);
        // The SDK sends CRC32 unless told otherwise; the third object has only its MD5 ETag.
        const s3 = adminS3({ requestChecksumCalculation: algorithm ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED' });
        if (algorithm === 'CRC64NVME') await putMultipartCrc64(s3, bucket, key, body);
        else await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ChecksumAlgorithm: algorithm }));
      }
    }
  });
  afterAll(async () => {
    await proxy.close();
    rmSync(storeRoot, { recursive: true, force: true });
  });

  const client = (endpoint?: string) =>
    createSourceClient('src', config({ sources: { src: minioSource(bucket, endpoint ? { endpoint } : {}) } }).sources.src!, 'temporal');
  const candidate = async (key: string) => {
    const head = await adminS3().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { key, etag: head.ETag!, size: bodies.get(key)!.length, lastModified: new Date().toISOString(), change: 'new' as const };
  };

  for (const size of Object.keys(sizes)) {
    for (const { verifiedBy } of checks) {
      it(`verifies a ${size} object by ${verifiedBy} and stores its exact bytes under their SHA-256`, async () => {
        const key = `${size}/${verifiedBy}.bin`;
        const store = localBackend(storeRoot);
        const entry = await copyObject(client(), store, 'blobs', await candidate(key), () => {});
        expect(entry).toMatchObject({ verifiedBy, size: bodies.get(key)!.length, sha256: sha(bodies.get(key)!) });
        expect(sha(readFileSync(join(storeRoot, ...entry.blob.split('/'))))).toBe(sha(bodies.get(key)!));
      });

      it(`refuses a ${size} object whose bytes were damaged on the way, by its ${verifiedBy}, as a retryable mismatch`, async () => {
        const key = `${size}/${verifiedBy}.bin`;
        const err = await copyObject(client(proxy.endpoint), localBackend(storeRoot), 'blobs', await candidate(key), () => {})
          .then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(S3OperationError);
        expect(err).toMatchObject({ kind: 'transient', code: 'ChecksumMismatch' });
        expect((err as Error).message).toContain(key);
      });
    }
  }
});
