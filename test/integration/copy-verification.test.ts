import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, HeadObjectCommand, PutObjectCommand, UploadPartCommand, type ChecksumAlgorithm,
  type ChecksumType, type CompletedPart, type S3Client } from '@aws-sdk/client-s3';
import { localBackend } from '../../datasets/local-backend';
import { createSourceClient } from '../../s3/client';
import { S3OperationError } from '../../s3/errors';
import { copyObject } from '../../syncs/object-copy';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy';
import { adminS3, createBucket, createUser } from '../harness/minio-admin';
import { testEnv } from '../harness/test-env';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const MiB = 1024 * 1024;

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

/** Puts `parts` as a multipart upload, with per-part checksums of `algorithm` combined as `type` (none: only the ETag). */
async function putMultipart(s3: S3Client, bucket: string, key: string, parts: Buffer[], algorithm?: ChecksumAlgorithm, type?: ChecksumType): Promise<void> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: algorithm, ChecksumType: type }));
  const done: CompletedPart[] = [];
  for (const [i, body] of parts.entries()) {
    // The SDK computes each part's checksum (its own implementations) and MinIO checks it.
    const part = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: algorithm }));
    done.push({ PartNumber: i + 1, ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32, ChecksumCRC32C: part.ChecksumCRC32C, ChecksumSHA1: part.ChecksumSHA1,
      ChecksumSHA256: part.ChecksumSHA256, ChecksumCRC64NVME: part.ChecksumCRC64NVME });
  }
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, ChecksumType: type, MultipartUpload: { Parts: done } }));
}

/** Puts `body` as a one-part multipart upload with a full-object CRC-64/NVME checksum. */
async function putMultipartCrc64(s3: S3Client, bucket: string, key: string, body: Buffer): Promise<void> {
  // One part: the object's CRC is the part's, computed by the SDK's own implementation.
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: 'CRC64NVME', ChecksumType: 'FULL_OBJECT' }));
  const part = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: body, ChecksumAlgorithm: 'CRC64NVME' }));
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, ChecksumType: 'FULL_OBJECT', ChecksumCRC64NVME: part.ChecksumCRC64NVME,
    MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag, ChecksumCRC64NVME: part.ChecksumCRC64NVME }] } }));
}

/** Multipart objects: their parts' sizes, the checksum they were uploaded with, and the check expected. */
const multipart: Array<{ name: string; parts: number[]; algorithm?: ChecksumAlgorithm; type?: ChecksumType; verifiedBy: string; requests: string[] }> = [
  // 5 MiB parts and a tail, as uploaders cut objects.
  { name: 'etag', parts: [5 * MiB, 5 * MiB, 12_345], verifiedBy: 'multipart-md5-etag', requests: ['HEAD ?partNumber=1', 'GET'] },
  { name: 'two-parts', parts: [5 * MiB, 777], verifiedBy: 'multipart-md5-etag', requests: ['HEAD ?partNumber=1', 'GET'] },
  { name: 'composite-crc32', parts: [5 * MiB, 5 * MiB, 12_345], algorithm: 'CRC32', type: 'COMPOSITE', verifiedBy: 'composite-crc32', requests: ['HEAD ?partNumber=1', 'GET'] },
  { name: 'composite-crc32c', parts: [5 * MiB, 5 * MiB, 12_345], algorithm: 'CRC32C', type: 'COMPOSITE', verifiedBy: 'composite-crc32c', requests: ['HEAD ?partNumber=1', 'GET'] },
  { name: 'composite-sha1', parts: [5 * MiB, 5 * MiB, 12_345], algorithm: 'SHA1', type: 'COMPOSITE', verifiedBy: 'composite-sha1', requests: ['HEAD ?partNumber=1', 'GET'] },
  { name: 'composite-sha256', parts: [5 * MiB, 5 * MiB, 12_345], algorithm: 'SHA256', type: 'COMPOSITE', verifiedBy: 'composite-sha256', requests: ['HEAD ?partNumber=1', 'GET'] },
  // A full-object checksum needs no layout (the HEAD is made before the GET tells).
  { name: 'full-crc32c', parts: [5 * MiB, 5 * MiB, 12_345], algorithm: 'CRC32C', type: 'FULL_OBJECT', verifiedBy: 'crc32c', requests: ['HEAD ?partNumber=1', 'GET'] },
  // Parts of different sizes (UploadPartCopy concatenations make them). The object's size
  // contradicts equal parts of part 1's size: every part's size is read before the GET.
  { name: 'unequal-seen', parts: [6 * MiB, 5 * MiB, 12_345], verifiedBy: 'multipart-md5-etag',
    requests: ['HEAD ?partNumber=1', 'GET ?attributes', 'GET'] },
  // Here it does not: the check on equal parts fails, the sizes are read, and the object again.
  { name: 'unequal-hidden', parts: [7 * MiB, 5 * MiB, 5 * MiB + 9], verifiedBy: 'multipart-md5-etag',
    requests: ['HEAD ?partNumber=1', 'GET', 'GET ?attributes', 'GET'] },
];

/** The requests a proxy saw for `key`, as `METHOD ?param` (signature parameters left out). */
const requestsFor = (proxy: FaultProxy, key: string) => proxy.requests.filter((r) => r.path.endsWith(`/${key}`))
  .map((r) => [r.method, [...new URLSearchParams(r.query)].filter(([k]) => !/^x-(amz|id)/i.test(k)).map(([k, v]) => (v ? `${k}=${v}` : k)).join('&')])
  .map(([method, query]) => (query ? `${method} ?${query}` : method!));

describe('a copied object is compared with the cheapest check its source offers', () => {
  let bucket: string;
  let storeRoot: string;
  /** Records what passes; damages nothing. */
  let recorder: FaultProxy;
  /** Flips one byte of every GET body: in the first MiB, and in a multipart object's second part. */
  let damaging: FaultProxy;
  let damagingPart2: FaultProxy;
  const bodies = new Map<string, Buffer>();
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('verify');
    storeRoot = mkdtempSync(join(tmpdir(), 'verify-store-'));
    const { endpoint } = testEnv().minio;
    recorder = await startFaultProxy(endpoint);
    damaging = await startFaultProxy(endpoint, { faults: { get: { flip: { rate: 1, offset: 1_000_000 } } } });
    damagingPart2 = await startFaultProxy(endpoint, { faults: { get: { flip: { rate: 1, offset: 5 * MiB + 4321 } } } });
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
    const s3 = adminS3({ requestChecksumCalculation: 'WHEN_REQUIRED' });
    for (const { name, parts, algorithm, type } of multipart) {
      const key = `multipart/${name}.bin`;
      const body = randomBytes(parts.reduce((a, b) => a + b, 0));
      bodies.set(key, body);
      let at = 0;
      await putMultipart(s3, bucket, key, parts.map((n) => body.subarray(at, (at += n))), algorithm, type);
    }
  });
  afterAll(async () => {
    await Promise.all([recorder, damaging, damagingPart2].map((p) => p?.close()));
    rmSync(storeRoot, { recursive: true, force: true });
  });

  const client = (endpoint?: string, extra: Record<string, unknown> = {}) =>
    createSourceClient('src', config({ sources: { src: minioSource(bucket, { ...(endpoint ? { endpoint } : {}), ...extra }) } }).sources.src!);
  const candidate = async (key: string) => {
    const head = await adminS3().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { key, etag: head.ETag!, size: bodies.get(key)!.length, lastModified: new Date().toISOString(), change: 'new' as const };
  };
  const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

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
        const err = await refusal(copyObject(client(damaging.endpoint), localBackend(storeRoot), 'blobs', await candidate(key), () => {}));
        expect(err).toBeInstanceOf(S3OperationError);
        expect(err).toMatchObject({ kind: 'transient', code: 'ChecksumMismatch' });
        expect((err as Error).message).toContain(key);
      });
    }
  }

  it('reads a single-part object with one GET and nothing else', async () => {
    const key = 'large/md5-etag.bin';
    await copyObject(client(recorder.endpoint), localBackend(storeRoot), 'blobs', await candidate(key), () => {});
    expect(requestsFor(recorder, key)).toEqual(['GET']);
  });

  for (const { name, parts, verifiedBy, requests } of multipart) {
    const key = `multipart/${name}.bin`;
    it(`verifies a multipart object (${parts.join(' + ')} bytes, ${name}) by ${verifiedBy}: ${requests.join(', ')}`, async () => {
      const entry = await copyObject(client(recorder.endpoint), localBackend(storeRoot), 'blobs', await candidate(key), () => {});
      expect(entry).toMatchObject({ verifiedBy, size: bodies.get(key)!.length, sha256: sha(bodies.get(key)!) });
      expect(sha(readFileSync(join(storeRoot, ...entry.blob.split('/'))))).toBe(sha(bodies.get(key)!));
      expect(requestsFor(recorder, key)).toEqual(requests);
      recorder.clearStats();
    });

    it(`refuses a multipart object (${name}) with a byte damaged in its second part, by its ${verifiedBy}, as a retryable mismatch`, async () => {
      const err = await refusal(copyObject(client(damagingPart2.endpoint), localBackend(storeRoot), 'blobs', await candidate(key), () => {}));
      expect(err).toBeInstanceOf(S3OperationError);
      expect(err).toMatchObject({ kind: 'transient', code: 'ChecksumMismatch' });
      expect((err as Error).message).toContain(key);
      expect((err as Error).message).toMatch(verifiedBy === 'multipart-md5-etag' ? /multipart ETag/ : verifiedBy === 'crc32c' ? /CRC32C checksum/ : /composite/);
    });
  }

  it('reads every part\'s size with a HEAD per part where the caller may not call GetObjectAttributes', async () => {
    const user = createUser(`parts${Date.now()}`, [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] }]);
    Object.assign(process.env, { PARTS_KEY: user.accessKeyId, PARTS_SECRET: user.secretAccessKey });
    const limited = client(recorder.endpoint, { credentials: { type: 'accessKey', accessKeyId: '${env:PARTS_KEY}', secretAccessKey: '${env:PARTS_SECRET}' } });
    for (const name of ['unequal-seen', 'unequal-hidden']) {
      const key = `multipart/${name}.bin`;
      const entry = await copyObject(limited, localBackend(storeRoot), 'blobs', await candidate(key), () => {});
      expect(entry).toMatchObject({ verifiedBy: 'multipart-md5-etag', sha256: sha(bodies.get(key)!) });
      const seen = requestsFor(recorder, key);
      expect(seen).toContain('GET ?attributes');
      // Part 1's HEAD told the parts' count and part 1's size; then one HEAD per part.
      expect(seen.filter((r) => r.startsWith('HEAD')).sort()).toEqual(['HEAD ?partNumber=1', 'HEAD ?partNumber=1', 'HEAD ?partNumber=2', 'HEAD ?partNumber=3']);
      recorder.clearStats();
    }
  });

  it('refuses an object changed since it was listed as gone, before reading its parts', async () => {
    const key = 'multipart/etag.bin';
    const listed = { ...(await candidate(key)), etag: '"0123456789abcdef0123456789abcdef-3"' };
    const err = await refusal(copyObject(client(recorder.endpoint), localBackend(storeRoot), 'blobs', listed, () => {}));
    expect(err).toMatchObject({ kind: 'gone' });
    expect(requestsFor(recorder, key)).toEqual(['HEAD ?partNumber=1']);
    recorder.clearStats();
  });
});
