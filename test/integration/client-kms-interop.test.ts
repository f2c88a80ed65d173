import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { localBackend } from '../../datasets/local-backend';
import { createSourceClient } from '../../s3/client';
import { S3OperationError } from '../../s3/errors';
import { copyObject } from '../../syncs/object-copy';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { adminS3, createBucket } from '../harness/minio-admin';
import { createKmsKey, s3ecPut, type S3ecClient, type S3ecFormat } from '../harness/s3ec-clients';
import { testEnv } from '../harness/test-env';

const MiB = 1024 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Objects the reference clients write: each client in each format it writes, at each size. */
const written: Array<{ client: S3ecClient; format: S3ecFormat; size: number }> = [];
for (const [client, format] of [['python', 'v2'], ['python', 'committing'], ['go', 'v2']] as const) {
  for (const size of [0, 1000, 20 * MiB]) written.push({ client, format, size });
}
// One large object (the Python client's default, multipart at 8 MiB parts).
written.push({ client: 'python', format: 'committing', size: 64 * MiB });

const keyOf = (o: { client: string; format: string; size: number }) => `${o.client}/${o.format}/${o.size}.bin`;

describe('objects written by the AWS S3 Encryption Clients (Python 4.0.0, Go v3.1.0) are synced as their exact plaintext', () => {
  let bucket: string;
  let kmsKey: { keyId: string; arn: string; alias: string };
  let storeRoot: string;
  const plaintexts = new Map<string, Buffer>();

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('s3ec-read');
    storeRoot = mkdtempSync(join(tmpdir(), 's3ec-read-'));
    kmsKey = await createKmsKey('read');
    for (const o of written) {
      const plaintext = randomBytes(o.size);
      plaintexts.set(keyOf(o), plaintext);
      await s3ecPut(o.client, { bucket, key: keyOf(o), kmsKeyId: kmsKey.alias, format: o.format, ...(o.client === 'python' ? { partSize: 8 * MiB } : {}) }, plaintext);
    }
  }, 300_000);
  afterAll(() => rmSync(storeRoot, { recursive: true, force: true }));

  const client = () => createSourceClient('enc', config({ sources: { enc: minioSource(bucket, {
    region: 'us-east-1', clientKms: { keyId: kmsKey.alias, kmsEndpoint: testEnv().moto.endpoint },
  }) } }).sources.enc!);
  const candidate = async (key: string) => {
    const head = await adminS3().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { key, etag: head.ETag!, size: head.ContentLength!, lastModified: new Date().toISOString(), change: 'new' as const };
  };
  const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

  for (const o of written) {
    it(`lands the plaintext of a ${o.size}-byte object the ${o.client} client wrote in the ${o.format} format, byte for byte`, async () => {
      const entry = await copyObject(client(), localBackend(storeRoot), 'blobs', await candidate(keyOf(o)), () => {});
      const plaintext = plaintexts.get(keyOf(o))!;
      expect(entry).toMatchObject({ size: plaintext.length, sha256: sha(plaintext), decrypted: { format: o.format === 'v2' ? 'v2' : 'v3-committing', keyId: kmsKey.alias } });
      expect(entry.verifiedBy).not.toBe('size-only');
      expect(readFileSync(join(storeRoot, ...entry.blob.split('/'))).equals(plaintext)).toBe(true);
    }, 120_000);
  }

  /** Rewrites `key` as `to` with its body or metadata changed by `change`. */
  async function altered(key: string, to: string, change: (body: Buffer, metadata: Record<string, string>) => void): Promise<void> {
    const s3 = adminS3({ requestChecksumCalculation: 'WHEN_REQUIRED' });
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = Buffer.from(await out.Body!.transformToByteArray());
    const metadata = { ...out.Metadata };
    change(body, metadata);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: to, Body: body, Metadata: metadata }));
  }

  it.each([['python', 'committing'], ['go', 'v2']] as const)('fails a %s %s object with one ciphertext byte changed at the tag check, permanently (not retried)', async (c, format) => {
    const to = `bad/${c}-${format}-tampered.bin`;
    await altered(keyOf({ client: c, format, size: 1000 }), to, (body) => { body[10] = body[10]! ^ 1; });
    const err = await refusal(copyObject(client(), localBackend(storeRoot), 'blobs', await candidate(to), () => {}));
    expect(err).toBeInstanceOf(S3OperationError);
    expect(err).toMatchObject({ kind: 'permanent', code: 'DecryptionFailed' });
  });

  it('fails a python v2 object whose encryption context was changed, as KMS refuses its data key', async () => {
    const to = 'bad/python-v2-context.bin';
    await altered(keyOf({ client: 'python', format: 'v2', size: 1000 }), to, (_body, metadata) => {
      const context = JSON.parse(metadata['x-amz-matdesc']!) as Record<string, string>;
      metadata['x-amz-matdesc'] = JSON.stringify({ ...context, added: 'by someone' });
    });
    const err = await refusal(copyObject(client(), localBackend(storeRoot), 'blobs', await candidate(to), () => {}));
    expect(err).toMatchObject({ kind: 'permanent', code: 'InvalidCiphertextException' });
  });

  it('fails a python committing object whose key commitment was swapped for another object\'s', async () => {
    const to = 'bad/python-committing-commitment.bin';
    const other = await adminS3().send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf({ client: 'python', format: 'committing', size: 0 }) }));
    await altered(keyOf({ client: 'python', format: 'committing', size: 1000 }), to, (_body, metadata) => { metadata['x-amz-d'] = other.Metadata!['x-amz-d']!; });
    const err = await refusal(copyObject(client(), localBackend(storeRoot), 'blobs', await candidate(to), () => {}));
    expect((err as Error).message).toMatch(/key commitment \(x-amz-d\) does not match/);
  });
});
