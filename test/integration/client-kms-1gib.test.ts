import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { localBackend } from '../../datasets/local-backend';
import { createSourceClient } from '../../s3/client';
import { copyObject } from '../../syncs/object-copy';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { adminS3, createBucket } from '../harness/minio-admin';
import { createKmsKey, s3ecPut, type S3ecClient, type S3ecFormat } from '../harness/s3ec-clients';
import { tempDir } from '../harness/temp-dir';
import { testEnv } from '../harness/test-env';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/**
 * The interop matrix's largest size: 1 GiB written by each reference client (each holds the whole
 * object in memory, about 2-3 GiB of RSS per process, so they run one after the other), synced by
 * s3-connector and compared with the plaintext by SHA-256 of streams: no test process holds
 * 1 GiB. In a file of its own so the suite runs it beside the others.
 */
const written: Array<{ client: S3ecClient; format: S3ecFormat; how: string }> = [
  { client: 'python', format: 'committing', how: 'multipart, 8 MiB parts' },
  { client: 'python', format: 'v2', how: 'multipart, 8 MiB parts' },
  { client: 'go', format: 'v2', how: 'one PutObject' },
];
const keyOf = (o: { client: string; format: string }) => `big/${o.client}-${o.format}.bin`;

/** Writes `size` bytes of an AES-256-CTR keystream seeded by `seed` (incompressible, reproducible) to `file`; their SHA-256. */
async function seededFile(file: string, size: number, seed: string): Promise<string> {
  const cipher = createCipheriv('aes-256-ctr', createHash('sha256').update(seed).digest(), Buffer.alloc(16));
  const hash = createHash('sha256');
  const zeros = Buffer.alloc(8 * MiB);
  async function* chunks() {
    for (let left = size; left > 0; left -= zeros.length) {
      const chunk = cipher.update(left >= zeros.length ? zeros : zeros.subarray(0, left));
      hash.update(chunk);
      yield chunk;
    }
  }
  await pipeline(Readable.from(chunks()), createWriteStream(file));
  return hash.digest('hex');
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file, { highWaterMark: 8 * MiB }), hash);
  return hash.digest('hex');
}

describe('1 GiB objects written by the AWS S3 Encryption Clients (Python 4.0.0, Go v3.1.0) are synced as their exact plaintext', () => {
  let bucket: string;
  let kmsKey: { keyId: string; arn: string; alias: string };
  let work: string;
  let plaintextFile: string;
  let plaintextSha: string;

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('s3ec-1gib');
    kmsKey = await createKmsKey('1gib');
    work = tempDir('s3ec-1gib-');
    plaintextFile = join(work, 'plaintext.bin');
    plaintextSha = await seededFile(plaintextFile, GiB, 'client-kms-1gib');
  }, 300_000);

  const client = () => createSourceClient('enc', config({ sources: { enc: minioSource(bucket, {
    region: 'us-east-1', clientKms: { keyId: kmsKey.alias, kmsEndpoint: testEnv().moto.endpoint },
  }) } }).sources.enc!);

  for (const o of written) {
    it(`lands the plaintext of a 1 GiB object the ${o.client} client wrote in the ${o.format} format (${o.how}), its SHA-256 equal to the plaintext's`, async () => {
      await s3ecPut(o.client, { bucket, key: keyOf(o), kmsKeyId: kmsKey.alias, format: o.format, ...(o.client === 'python' ? { partSize: 8 * MiB } : {}) }, { file: plaintextFile });
      const head = await adminS3().send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf(o) }));
      // The ciphertext is the plaintext and its 16-byte GCM tag; a multipart ETag ends in -<parts>.
      expect(head.ContentLength).toBe(GiB + 16);
      expect(head.ETag).toMatch(o.client === 'python' ? /^"[0-9a-f]{32}-\d+"$/ : /^"[0-9a-f]{32}"$/);
      const storeRoot = join(work, `store-${o.client}-${o.format}`);
      const entry = await copyObject(client(), localBackend(storeRoot), 'blobs', {
        key: keyOf(o), etag: head.ETag!, size: head.ContentLength!, lastModified: new Date().toISOString(), change: 'new',
      }, () => {});
      expect(entry).toMatchObject({ size: GiB, sha256: plaintextSha, decrypted: { format: o.format === 'v2' ? 'v2' : 'v3-committing', keyId: kmsKey.alias } });
      expect(entry.verifiedBy).not.toBe('size-only');
      // Read back from the store, not trusted from the entry.
      expect(await sha256OfFile(join(storeRoot, ...entry.blob.split('/')))).toBe(plaintextSha);
      rmSync(storeRoot, { recursive: true, force: true });
    }, 900_000);
  }
});
