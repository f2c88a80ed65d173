/**
 * The interop harness (test/harness/s3ec-clients.ts) against the test run's MinIO and moto's KMS:
 * each AWS S3 Encryption Client round-trips its own objects in each format it writes (empty,
 * small, and 20 MiB, multipart where the client can), the two read each other's v2 objects, the
 * metadata each writes is the documented envelope, envelopes in .instruction files are read, and a
 * wrong or changed encryption context or a flipped ciphertext byte fails.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { adminS3, createBucket } from '../harness/minio-admin';
import { createKmsKey, S3EC_WRITE_FORMATS, s3ecGet, s3ecGetToFile, s3ecPut, S3ecError, type S3ecClient, type S3ecFormat, type S3ecOptions } from '../harness/s3ec-clients';
import { startIamMoto, type IamMoto } from '../harness/kms-iam';
import { tempDir } from '../harness/temp-dir';

const V2_HEADERS = ['x-amz-cek-alg', 'x-amz-iv', 'x-amz-key-v2', 'x-amz-matdesc', 'x-amz-tag-len', 'x-amz-wrap-alg'];
const COMMITTING_HEADERS = ['x-amz-3', 'x-amz-c', 'x-amz-d', 'x-amz-i', 'x-amz-t', 'x-amz-w'];
const MIB = 1024 * 1024;
const SIZES: Array<[string, number]> = [['no bytes', 0], ['1000 bytes', 1000], ['20 MiB', 20 * MIB]];
const CASES: Array<[S3ecClient, S3ecFormat]> = (['python', 'go'] as const).flatMap((c) => S3EC_WRITE_FORMATS[c].map((f): [S3ecClient, S3ecFormat] => [c, f]));

let bucket: string;
let kmsKeyId: string;
let arn: string;

beforeAll(async () => {
  bucket = await createBucket('s3ec');
  const key = await createKmsKey('s3ec');
  kmsKeyId = key.alias;
  arn = key.arn;
});

function at(key: string, extra: Partial<S3ecOptions> = {}): S3ecOptions {
  return { bucket, key, kmsKeyId, ...extra };
}

async function head(key: string): Promise<{ metadata: Record<string, string>; etag: string; length: number }> {
  const h = await adminS3().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return { metadata: h.Metadata ?? {}, etag: h.ETag ?? '', length: h.ContentLength ?? -1 };
}

async function failure(promise: Promise<unknown>): Promise<S3ecError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(S3ecError);
  return error as S3ecError;
}

describe.each(CASES)('the %s client writing the %s format', (client, format) => {
  test.each(SIZES)('round-trips a plaintext of %s byte for byte, with the envelope metadata of its format', async (_name, size) => {
    const plaintext = randomBytes(size);
    const key = `own/${client}-${format}-${size}`;
    await s3ecPut(client, at(key, { format, context: { dataset: 'orders' } }), plaintext);
    expect((await s3ecGet(client, at(key, { context: { dataset: 'orders' } }))).equals(plaintext)).toBe(true);
    const { metadata, etag, length } = await head(key);
    expect(Object.keys(metadata).sort()).toEqual(format === 'v2' ? V2_HEADERS : COMMITTING_HEADERS);
    // The ciphertext is the plaintext and the 16-byte GCM tag.
    expect(length).toBe(size + 16);
    // Python sends 8 MiB parts at and above 8 MiB; the Go client has only PutObject.
    expect(/-\d+"$/.exec(etag)?.[0]).toBe(client === 'python' && size >= 8 * MIB ? '-3"' : undefined);
    if (format === 'v2') {
      expect(metadata).toMatchObject({ 'x-amz-cek-alg': 'AES/GCM/NoPadding', 'x-amz-wrap-alg': 'kms+context', 'x-amz-tag-len': '128' });
      expect(JSON.parse(metadata['x-amz-matdesc']!)).toEqual({ dataset: 'orders', 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding' });
      expect(Buffer.from(metadata['x-amz-iv']!, 'base64')).toHaveLength(12);
    } else {
      // 115 = 0x0073, ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY; 12 = kms+context.
      expect(metadata).toMatchObject({ 'x-amz-c': '115', 'x-amz-w': '12' });
      expect(JSON.parse(metadata['x-amz-t']!)).toEqual({ dataset: 'orders', 'aws:x-amz-cek-alg': '115' });
      expect(Buffer.from(metadata['x-amz-d']!, 'base64')).toHaveLength(28);
      expect(Buffer.from(metadata['x-amz-i']!, 'base64')).toHaveLength(28);
    }
  });
});

describe('the two clients read each other', () => {
  test.each([['python', 'go'], ['go', 'python']] as const)('an object the %s client writes in v2 (small and 20 MiB) the %s client decrypts byte for byte', async (writer, reader) => {
    for (const size of [1000, 20 * MIB]) {
      const plaintext = randomBytes(size);
      const key = `cross/${writer}-to-${reader}-${size}`;
      await s3ecPut(writer, at(key, { format: 'v2', context: { job: 'cross' } }), plaintext);
      expect((await s3ecGet(reader, at(key, { context: { job: 'cross' } }))).equals(plaintext)).toBe(true);
    }
  });

  test('the Go client refuses a key-committing object by name, and the Python client refuses v2 when it requires commitment', async () => {
    await s3ecPut('python', at('cross/committing', { format: 'committing' }), Buffer.from('committed'));
    expect((await failure(s3ecGet('go', at('cross/committing')))).stderr).toMatch(/key-committing format \(x-amz-c\)/);
    await s3ecPut('go', at('cross/v2-only', { format: 'v2' }), Buffer.from('v2'));
    expect((await failure(s3ecGet('python', at('cross/v2-only', { format: 'committing' })))).stderr).toMatch(/cannot decrypt non-key-committing object/);
    expect((await s3ecGet('python', at('cross/v2-only'))).toString()).toBe('v2');
  });

  test('the Go client writes no key-committing format', async () => {
    expect((await failure(s3ecPut('go', at('cross/none', { format: 'committing' }), Buffer.from('x')))).stderr).toMatch(/writes only the v2 format/);
  });

  test('plaintexts from and to files: a 20 MiB file the Go client writes the Python client writes back to a file, byte for byte', async () => {
    const dir = tempDir('s3ec-files-');
    const source = join(dir, 'plain.bin');
    const target = join(dir, 'back.bin');
    writeFileSync(source, randomBytes(20 * MIB));
    await s3ecPut('go', at('cross/file', { format: 'v2' }), { file: source });
    await s3ecGetToFile('python', at('cross/file'), target);
    expect(readFileSync(target).equals(readFileSync(source))).toBe(true);
  });

  test.each(['python', 'go'] as const)('the %s client reads a v2 object whose envelope is in its .instruction file', async (reader) => {
    const s3 = adminS3();
    await s3ecPut('python', at('cross/with-metadata', { format: 'v2', context: { place: 'instruction' } }), Buffer.from('enveloped elsewhere'));
    const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cross/with-metadata' }));
    const ciphertext = Buffer.from(await stored.Body!.transformToByteArray());
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `cross/instructed-${reader}`, Body: ciphertext }));
    await s3.send(new PutObjectCommand({
      Bucket: bucket, Key: `cross/instructed-${reader}.instruction`, Body: JSON.stringify(stored.Metadata),
      Metadata: { 'x-amz-crypto-instr-file': '' },
    }));
    expect((await s3ecGet(reader, at(`cross/instructed-${reader}`, { context: { place: 'instruction' } }))).toString()).toBe('enveloped elsewhere');
  });

  test('a key given by ARN decrypts what was written under its alias', async () => {
    await s3ecPut('python', at('cross/arn', { format: 'v2' }), Buffer.from('by arn'));
    expect((await s3ecGet('go', at('cross/arn', { kmsKeyId: arn }))).toString()).toBe('by arn');
  });
});

describe('the encryption context', () => {
  test.each(CASES)('a %s object in %s read with another expected context fails and returns no plaintext', async (client, format) => {
    const key = `context/${client}-${format}`;
    await s3ecPut(client, at(key, { format, context: { tenant: 'a' } }), Buffer.from('secret rows'));
    for (const reader of ['python', 'go'] as const) {
      if (format === 'committing' && reader === 'go') continue; // refused for its format, above
      const error = await failure(s3ecGet(reader, at(key, { context: { tenant: 'b' } })));
      expect(error.stderr).toMatch(/encryption context does not match/);
      expect(error.stderr).not.toContain('secret rows');
    }
  });

  test.each(['python', 'go'] as const)('a v2 object whose stored context was changed fails in KMS when the %s client reads it', async (reader) => {
    const key = `context/changed-for-${reader}`;
    await s3ecPut('python', at(key, { format: 'v2', context: { tenant: 'a' } }), Buffer.from('secret rows'));
    const { metadata } = await head(key);
    const changed = { ...metadata, 'x-amz-matdesc': JSON.stringify({ tenant: 'b', 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding' }) };
    await adminS3().send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/${key}`, Metadata: changed, MetadataDirective: 'REPLACE' }));
    // moto's Decrypt checks the context the data key was wrapped with.
    const error = await failure(s3ecGet(reader, at(key, { context: { tenant: 'b' } })));
    expect(error.stderr).toMatch(/InvalidCiphertext/);
  });
});

describe('tampered ciphertext', () => {
  test.each(CASES)('a %s object in %s with one flipped byte fails its tag in every client that reads the format', async (client, format) => {
    const s3 = adminS3();
    const key = `tamper/${client}-${format}`;
    await s3ecPut(client, at(key, { format }), Buffer.from('x'.repeat(4096)));
    const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = Buffer.from(await stored.Body!.transformToByteArray());
    bytes[100] = bytes[100]! ^ 1;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, Metadata: stored.Metadata }));
    for (const reader of format === 'v2' ? (['python', 'go'] as const) : (['python'] as const)) {
      const error = await failure(s3ecGet(reader, at(key)));
      // cryptography's InvalidTag under the Python client's error; Go's crypto/cipher's own words.
      expect(error.stderr).toMatch(reader === 'python' ? /<- InvalidTag/ : /cipher: message authentication failed/);
    }
  });
});

describe('a key the identity may not use (moto enforcing IAM)', () => {
  let iamMoto: IamMoto;
  let keyArn: string;
  beforeAll(async () => {
    iamMoto = await startIamMoto();
    keyArn = (await iamMoto.createKey()).arn;
  });
  afterAll(() => iamMoto?.stop());

  test.each(CASES)('the %s client writing %s: without kms:GenerateDataKey the put fails, without kms:Decrypt the get fails, each naming the KMS action', async (client, format) => {
    const encryptOnly = await iamMoto.createIdentity(`enc-${client}-${format}`, ['kms:GenerateDataKey']);
    const decryptOnly = await iamMoto.createIdentity(`dec-${client}-${format}`, ['kms:Decrypt']);
    const key = `denied/${client}-${format}`;
    const on = (credentials: { accessKeyId: string; secretAccessKey: string }) => at(key, { format, kmsKeyId: keyArn, kmsEndpoint: iamMoto.endpoint, credentials });
    // moto answers KMS's JSON protocol's AccessDenied with an XML body: botocore reads it, the Go
    // SDK only its status (403).
    const denied = (action: string) => (client === 'python' ? new RegExp(`AccessDenied.*not authorized to perform: kms:${action}`) : new RegExp(`KMS: ${action}, https response error StatusCode: 403`));
    expect((await failure(s3ecPut(client, on(decryptOnly), Buffer.from('rows')))).stderr).toMatch(denied('GenerateDataKey'));
    await s3ecPut(client, on(encryptOnly), Buffer.from('rows'));
    expect((await failure(s3ecGet(client, on(encryptOnly)))).stderr).toMatch(denied('Decrypt'));
    expect((await s3ecGet(client, on(decryptOnly))).toString()).toBe('rows');
  });
});
