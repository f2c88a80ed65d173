import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createSourceClient } from '../../s3/client';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { createBucket } from '../harness/minio-admin';
import { testEnv } from '../harness/test-env';

const body = Buffer.alloc(6 * 1024 * 1024 + 123, 7);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('S3 compatibility with MinIO', () => {
  let bucket: string;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('compat');
  });

  it('accepts the SDK\'s default CRC32 request checksums on buffered and streamed uploads, and validates them on download', async () => {
    const { minio } = testEnv();
    const s3 = new S3Client({ endpoint: minio.endpoint, region: 'us-east-1', forcePathStyle: true,
      credentials: { accessKeyId: minio.rootUser, secretAccessKey: minio.rootPassword } });
    expect(await s3.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'default/buffer.bin', Body: body }));
    expect(put.ChecksumCRC32).toEqual(expect.any(String));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'default/stream.bin', Body: Readable.from([body.subarray(0, 1000), body.subarray(1000)]), ContentLength: body.length }));
    for (const key of ['default/buffer.bin', 'default/stream.bin']) {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
      expect(sha(await got.Body!.transformToByteArray())).toBe(sha(body));
    }
  });

  it('uploads, downloads and batch-deletes through the factory\'s client, whose checksums are sent where the API requires them', async () => {
    const client = createSourceClient('src', config({ sources: { src: minioSource(bucket) } }).sources.src!);
    await client.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'factory/a.bin', Body: body }));
    const got = await client.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'factory/a.bin' }));
    expect(sha(await got.Body!.transformToByteArray())).toBe(sha(body));
    // DeleteObjects requires an integrity header: the SDK must send one MinIO accepts.
    const deleted = await client.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'factory/a.bin' }] } }));
    expect(deleted.Deleted?.map((d) => d.Key)).toEqual(['factory/a.bin']);
    expect(deleted.Errors ?? []).toEqual([]);
  });
});
