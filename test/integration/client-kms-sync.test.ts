import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAliasCommand, CreateKeyCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, HeadObjectCommand, PutObjectCommand, UploadPartCommand, type CompletedPart } from '@aws-sdk/client-s3';
import { localBackend } from '../../datasets/local-backend';
import { openDecryptedReader } from '../../preview/decrypted-reader';
import { previewObject } from '../../preview/preview';
import { createSourceClient } from '../../s3/client';
import { S3OperationError } from '../../s3/errors';
import { copyObject } from '../../syncs/object-copy';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { adminS3, createBucket } from '../harness/minio-admin';
import { sealCommitting, sealV2, type Sealed } from '../harness/spec-envelopes';
import { makeJpeg } from '../harness/media-fixtures';
import { localDataset, runSyncJob, temporalClient } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';

const MiB = 1024 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const V2_CONTEXT = { 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding' };
const V3_CONTEXT = { 'aws:x-amz-cek-alg': '115' };

function kmsClient(): KMSClient {
  const { moto, minio } = testEnv();
  return new KMSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: minio.rootUser, secretAccessKey: minio.rootPassword } });
}

async function newKey(kms: KMSClient): Promise<{ keyId: string; alias: string }> {
  const created = await kms.send(new CreateKeyCommand({ Description: 'client-kms sync test' }));
  const alias = `alias/sync-${Math.random().toString(36).slice(2, 10)}`;
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: created.KeyMetadata!.KeyId! }));
  return { keyId: created.KeyMetadata!.KeyId!, alias };
}

/** Every data key made (base64 and hex) and wrapped key (base64): none may reach a workflow's history. */
const secrets: string[] = [];

/** Seals `plaintext` under a data key moto generated for `keyId` with the format's context. */
async function seal(kms: KMSClient, keyId: string, format: 'v2' | 'committing', plaintext: Buffer): Promise<Sealed> {
  const context = format === 'v2' ? V2_CONTEXT : V3_CONTEXT;
  const key = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context }));
  secrets.push(Buffer.from(key.Plaintext!).toString('base64'), Buffer.from(key.Plaintext!).toString('hex'), Buffer.from(key.CiphertextBlob!).toString('base64'));
  const make = format === 'v2' ? sealV2 : sealCommitting;
  return make(plaintext, Buffer.from(key.Plaintext!), Buffer.from(key.CiphertextBlob!), context);
}

/** Puts `sealed` at `key`, as a multipart upload of `partSize` parts when given. */
async function put(bucket: string, key: string, sealed: Sealed, partSize?: number): Promise<void> {
  const s3 = adminS3({ requestChecksumCalculation: 'WHEN_REQUIRED' });
  if (!partSize) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: sealed.body, Metadata: sealed.metadata }));
    return;
  }
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, Metadata: sealed.metadata }));
  const parts: CompletedPart[] = [];
  for (let at = 0, n = 1; at < sealed.body.length; at += partSize, n++) {
    const part = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: n, Body: sealed.body.subarray(at, at + partSize) }));
    parts.push({ PartNumber: n, ETag: part.ETag });
  }
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
}

/** Every string and byte array (payloads' JSON, as UTF-8) in `value`, joined: what a history says. */
function textOf(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textOf).join('\n');
  if (value && typeof value === 'object') return Object.values(value).map(textOf).join('\n');
  return '';
}

/** Every file below `dir`. */
function filesBelow(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    out = statSync(path).isDirectory() ? [...out, ...filesBelow(path)] : [...out, path];
  }
  return out;
}

describe('objects encrypted with the S3 Encryption Client formats (moto KMS, MinIO) are synced as their plaintext', () => {
  const kms = kmsClient();
  let bucket: string;
  let key: { keyId: string; alias: string };
  let storeRoot: string;
  const plaintexts = new Map<string, Buffer>();
  const objects: Array<{ name: string; format: 'v2' | 'committing'; size: number; partSize?: number }> = [
    { name: 'v2/empty.bin', format: 'v2', size: 0 },
    { name: 'v2/small.csv', format: 'v2', size: 5_000 },
    { name: 'v2/multipart.bin', format: 'v2', size: 11 * MiB + 3, partSize: 5 * MiB },
    { name: 'v2/large.bin', format: 'v2', size: 64 * MiB, partSize: 16 * MiB },
    { name: 'committing/empty.bin', format: 'committing', size: 0 },
    { name: 'committing/small.csv', format: 'committing', size: 5_000 },
    { name: 'committing/multipart.bin', format: 'committing', size: 11 * MiB + 3, partSize: 5 * MiB },
  ];

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('clientkms');
    storeRoot = mkdtempSync(join(tmpdir(), 'clientkms-store-'));
    key = await newKey(kms);
    for (const o of objects) {
      const plaintext = o.name.endsWith('.csv') ? Buffer.from(Array.from({ length: 250 }, (_, i) => `${i},row ${i}\n`).join('').padEnd(o.size, '#').slice(0, o.size)) : randomBytes(o.size);
      plaintexts.set(o.name, plaintext);
      await put(bucket, o.name, await seal(kms, key.keyId, o.format, plaintext), o.partSize);
    }
  }, 120_000);
  afterAll(() => rmSync(storeRoot, { recursive: true, force: true }));

  const sourceConfig = (extra: Record<string, unknown> = {}) => minioSource(bucket, {
    region: 'us-east-1', clientKms: { keyId: key.alias, kmsEndpoint: testEnv().moto.endpoint, ...extra },
  });
  const client = (extra: Record<string, unknown> = {}) => createSourceClient('enc', config({ sources: { enc: sourceConfig(extra) } }).sources.enc!);
  const candidate = async (name: string) => {
    const head = await adminS3().send(new HeadObjectCommand({ Bucket: bucket, Key: name }));
    return { key: name, etag: head.ETag!, size: head.ContentLength!, lastModified: new Date().toISOString(), change: 'new' as const };
  };
  const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

  for (const o of objects) {
    it(`lands the exact plaintext of ${o.name} (${o.format}, ${o.size} bytes${o.partSize ? ', multipart' : ''}) and records the decryption`, async () => {
      const entry = await copyObject(client(), localBackend(storeRoot), 'blobs', await candidate(o.name), () => {});
      const plaintext = plaintexts.get(o.name)!;
      expect(entry).toMatchObject({ size: plaintext.length, sha256: sha(plaintext), decrypted: { format: o.format === 'v2' ? 'v2' : 'v3-committing', keyId: key.alias } });
      // The source's ETag is checked on the ciphertext (16 bytes of GCM tag longer than the plaintext).
      expect(entry.verifiedBy).toBe(o.partSize ? 'multipart-md5-etag' : 'md5-etag');
      expect(entry.source.size).toBe(plaintext.length + 16);
      expect(readFileSync(join(storeRoot, ...entry.blob.split('/'))).equals(plaintext)).toBe(true);
    }, 120_000);
  }

  it('fails an object whose ciphertext was altered at the tag check and keeps no byte of it', async () => {
    const plaintext = randomBytes(3 * MiB);
    const sealed = await seal(kms, key.keyId, 'v2', plaintext);
    sealed.body[2 * MiB] = sealed.body[2 * MiB]! ^ 0x40;
    await put(bucket, 'bad/tampered.bin', sealed);
    const root = mkdtempSync(join(tmpdir(), 'clientkms-tampered-'));
    const err = await refusal(copyObject(client(), localBackend(root), 'blobs', await candidate('bad/tampered.bin'), () => {}));
    expect(err).toBeInstanceOf(S3OperationError);
    expect(err).toMatchObject({ kind: 'permanent', code: 'DecryptionFailed' });
    expect((err as Error).message).toMatch(/bad\/tampered\.bin: the GCM tag does not verify/);
    expect(filesBelow(root)).toEqual([]);
    rmSync(root, { recursive: true, force: true });
  });

  it('fails an object whose encryption context was changed, as KMS refuses to unwrap its data key', async () => {
    const sealed = await seal(kms, key.keyId, 'v2', Buffer.from('secret rows'));
    await put(bucket, 'bad/context.bin', { ...sealed, metadata: { ...sealed.metadata, 'x-amz-matdesc': JSON.stringify({ ...V2_CONTEXT, team: 'other' }) } });
    const err = await refusal(copyObject(client(), localBackend(storeRoot), 'blobs', await candidate('bad/context.bin'), () => {}));
    expect(err).toMatchObject({ kind: 'permanent', code: 'InvalidCiphertextException' });
    expect((err as Error).message).toContain(`with key ${key.alias}: the object was encrypted under another key, or its encryption context was changed`);
    expect((err as Error).message).not.toContain(sealed.metadata['x-amz-key-v2']);
  });

  it('fails an object wrapped under a key the identity may not use for it (KMS AccessDenied), naming kms:Decrypt and the key', async () => {
    const other = await newKey(kms);
    const sealed = await seal(kms, other.keyId, 'committing', Buffer.from('rows'));
    await put(bucket, 'bad/other-key.bin', sealed);
    const err = await refusal(copyObject(client(), localBackend(storeRoot), 'blobs', await candidate('bad/other-key.bin'), () => {}));
    // moto answers a Decrypt whose KeyId is not the wrapping key with AccessDeniedException.
    expect(err).toMatchObject({ kind: 'permanent', code: 'AccessDeniedException' });
    expect((err as Error).message).toContain(`kms:Decrypt on key ${key.alias} was denied. Fix: grant the source's identity kms:Decrypt on ${key.alias}`);
  });

  it('refuses an unencrypted object unless allowPlaintext, and reads an envelope from its instruction file', async () => {
    await adminS3().send(new PutObjectCommand({ Bucket: bucket, Key: 'plain/readme.txt', Body: 'plain' }));
    const err = await refusal(copyObject(client(), localBackend(storeRoot), 'blobs', await candidate('plain/readme.txt'), () => {}));
    expect((err as Error).message).toMatch(/carries no S3 Encryption Client envelope.*allowPlaintext: true/);
    const plain = await copyObject(client({ allowPlaintext: true }), localBackend(storeRoot), 'blobs', await candidate('plain/readme.txt'), () => {});
    expect(plain).toMatchObject({ size: 5, sha256: sha(Buffer.from('plain')) });
    expect(plain.decrypted).toBeUndefined();

    const plaintext = Buffer.from('kept in an instruction file');
    const sealed = await seal(kms, key.keyId, 'v2', plaintext);
    await adminS3().send(new PutObjectCommand({ Bucket: bucket, Key: 'instr/data.txt', Body: sealed.body }));
    await adminS3().send(new PutObjectCommand({ Bucket: bucket, Key: 'instr/data.txt.instruction', Body: JSON.stringify(sealed.metadata) }));
    const entry = await copyObject(client(), localBackend(storeRoot), 'blobs', await candidate('instr/data.txt'), () => {});
    expect(readFileSync(join(storeRoot, ...entry.blob.split('/'))).equals(plaintext)).toBe(true);
  });

  it('previews an encrypted CSV from its plaintext', async () => {
    const preview = await previewObject(client(), 'committing/small.csv', 3);
    expect(preview.rows?.slice(0, 2)).toEqual([['1', 'row 1'], ['2', 'row 2']]);
  });

  it('refuses to preview an encrypted object above the in-memory limit, saying why and what to do instead', async () => {
    const head = await candidate('v2/multipart.bin');
    await expect(openDecryptedReader(client(), 'v2/multipart.bin', head.size, head.etag, undefined, 1024 * 1024))
      .rejects.toThrow(/v2\/multipart\.bin: is encrypted on the client side \(clientKms\) and 11534355 bytes long; .* only up to 1048576 bytes are\. Fix: sync it/);
  });

  it('syncs a folder through the bulk import workflow: plaintexts land, instruction files are skipped', async () => {
    await adminS3().send(new PutObjectCommand({ Bucket: bucket, Key: 'committing/stray.bin.instruction', Body: '{}' }));
    const cfg = config({
      datasetStore: storeRoot,
      sources: { enc: sourceConfig() },
      syncs: { pull: { source: 'enc', dataset: 'enc_pull', mode: 'bulk', subfolder: 'committing/' } },
    });
    const { client: temporal, close } = await temporalClient();
    try {
      const result = await withWorker(cfg, (taskQueue) => runSyncJob(temporal, cfg, 'pull', taskQueue));
      expect(result).toMatchObject({ status: 'completed', filesAdded: 3, filesSkipped: 1 });
    } finally {
      await close();
    }
    const view = await localDataset(storeRoot, 'enc_pull').view();
    expect([...view.keys()].sort()).toEqual(['committing/empty.bin', 'committing/multipart.bin', 'committing/small.csv']);
    for (const [path, f] of view) {
      expect(f).toMatchObject({ sha256: sha(plaintexts.get(path)!), size: plaintexts.get(path)!.length, decrypted: { format: 'v3-committing', keyId: key.alias } });
    }
  }, 180_000);
  it('media-syncs an encrypted JPEG with the metadata read from its plaintext, and an incremental sync lands only a new encrypted object', async () => {
    const jpeg = readFileSync(makeJpeg(join(storeRoot, 'photo-source.jpg'), '64x48'));
    await put(bucket, 'media/photo.jpg', await seal(kms, key.keyId, 'committing', jpeg));
    await put(bucket, 'inc/one.txt', await seal(kms, key.keyId, 'v2', Buffer.from('one')));
    const cfg = config({
      datasetStore: storeRoot,
      sources: { enc: sourceConfig() },
      syncs: {
        media: { source: 'enc', dataset: 'enc_media', mode: 'media', subfolder: 'media/', mediaTypes: ['image/jpeg'] },
        inc: { source: 'enc', dataset: 'enc_inc', mode: 'incremental', subfolder: 'inc/' },
      },
    });
    const { client: temporal, close } = await temporalClient();
    try {
      await withWorker(cfg, async (taskQueue) => {
        expect(await runSyncJob(temporal, cfg, 'media', taskQueue)).toMatchObject({ status: 'completed', filesAdded: 1 });
        expect(await runSyncJob(temporal, cfg, 'inc', taskQueue)).toMatchObject({ transaction: 1, filesAdded: 1 });
        await put(bucket, 'inc/two.txt', await seal(kms, key.keyId, 'committing', Buffer.from('two')));
        expect(await runSyncJob(temporal, cfg, 'inc', taskQueue)).toMatchObject({ transaction: 2, filesAdded: 1 });
      });
    } finally {
      await close();
    }
    const photo = (await localDataset(storeRoot, 'enc_media').view()).get('media/photo.jpg');
    expect(photo).toMatchObject({ sha256: sha(jpeg), mediaType: 'image/jpeg', metadata: { width: 64, height: 48 }, decrypted: { format: 'v3-committing' } });
    const inc = await localDataset(storeRoot, 'enc_inc').view();
    expect([...inc.entries()].map(([path, f]) => [path, f.sha256, f.decrypted?.format])).toEqual([
      ['inc/one.txt', sha(Buffer.from('one')), 'v2'], ['inc/two.txt', sha(Buffer.from('two')), 'v3-committing'],
    ]);
  }, 180_000);
  it('a sync reports and skips an altered and an unencrypted object, landing the others, and tries them again on the next run', async () => {
    await put(bucket, 'mixed/good.txt', await seal(kms, key.keyId, 'v2', Buffer.from('good')));
    const tampered = await seal(kms, key.keyId, 'committing', Buffer.from('altered later'));
    tampered.body[3] = tampered.body[3]! ^ 1;
    await put(bucket, 'mixed/tampered.txt', tampered);
    await adminS3().send(new PutObjectCommand({ Bucket: bucket, Key: 'mixed/plain.txt', Body: 'plain' }));
    const cfg = config({
      datasetStore: storeRoot,
      sources: { enc: sourceConfig() },
      syncs: { mixed: { source: 'enc', dataset: 'enc_mixed', mode: 'incremental', subfolder: 'mixed/' } },
    });
    const { client: temporal, close } = await temporalClient();
    try {
      await withWorker(cfg, async (taskQueue) => {
        const workflowId = `incrementalSync/mixed/${Math.random().toString(36).slice(2)}`;
        expect(await runSyncJob(temporal, cfg, 'mixed', taskQueue, workflowId)).toMatchObject({ status: 'completed', filesAdded: 1, filesSkipped: 2 });
        // The history holds names, keys and counts: no data key, wrapped key or plaintext.
        const history = textOf(await temporal.workflow.getHandle(workflowId).fetchHistory());
        // The payloads were decoded: the job's keys are there, so a secret would be too.
        expect(history).toContain('"mixed"');
        for (const secret of [...secrets, Buffer.from('good').toString('base64')]) expect(history).not.toContain(secret);
        expect([...(await localDataset(storeRoot, 'enc_mixed').view()).keys()]).toEqual(['mixed/good.txt']);
        // Unchanged, they are refused again rather than forgotten.
        expect(await runSyncJob(temporal, cfg, 'mixed', taskQueue)).toMatchObject({ status: 'completed', filesAdded: 0, filesSkipped: 2 });
      });
    } finally {
      await close();
    }
  }, 180_000);
});
