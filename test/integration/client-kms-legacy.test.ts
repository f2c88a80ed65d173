import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { localBackend } from '../../datasets/local-backend';
import { createSourceClient } from '../../s3/client';
import { copyObject } from '../../syncs/object-copy';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { adminS3, createBucket } from '../harness/minio-admin';
import { createKmsKey, s3ecGet, testKms } from '../harness/s3ec-clients';
import { sealLegacy, type LegacyKind } from '../harness/spec-envelopes';
import { testEnv } from '../harness/test-env';

const MiB = 1024 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * No reference client here writes a legacy format (the Python 4.0.0 and Go v3.1.0 clients refuse
 * to encrypt with them), so the objects are built from the specification with node:crypto and a
 * data key from moto's KMS, wrapped in KmsV1 mode (the key description as encryption context);
 * the Python client, with its legacy options on, reads each one as the proof that they are real.
 */
const objects: Array<{ kind: LegacyKind; format: string; size: number }> = [];
for (const [kind, format] of [['v1-cbc', 'legacy-v1-cbc'], ['v2-cbc', 'legacy-v2-cbc'], ['v2-gcm-kms', 'legacy-v2-gcm']] as const) {
  for (const size of [0, 1000, 20 * MiB + 5]) objects.push({ kind, format, size });
}
const keyOf = (o: { kind: string; size: number }) => `legacy/${o.kind}/${o.size}.bin`;

describe('legacy S3 Encryption Client objects (V1 and V2 with AES-CBC, V2 with a kms-wrapped key) on a clientKms source', () => {
  let bucket: string;
  let kmsKey: { keyId: string; arn: string; alias: string };
  let storeRoot: string;
  const plaintexts = new Map<string, Buffer>();

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('s3ec-legacy');
    storeRoot = mkdtempSync(join(tmpdir(), 's3ec-legacy-'));
    kmsKey = await createKmsKey('legacy');
    const s3 = adminS3({ requestChecksumCalculation: 'WHEN_REQUIRED' });
    for (const o of objects) {
      const matdesc = { kms_cmk_id: kmsKey.arn };
      const dataKey = await testKms().send(new GenerateDataKeyCommand({ KeyId: kmsKey.keyId, KeySpec: 'AES_256', EncryptionContext: matdesc }));
      const plaintext = randomBytes(o.size);
      plaintexts.set(keyOf(o), plaintext);
      const sealed = sealLegacy(o.kind, plaintext, Buffer.from(dataKey.Plaintext!), Buffer.from(dataKey.CiphertextBlob!), matdesc);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(o), Body: sealed.body, Metadata: sealed.metadata }));
    }
  }, 180_000);
  afterAll(() => rmSync(storeRoot, { recursive: true, force: true }));

  const client = (allowLegacy: boolean) => createSourceClient('enc', config({ sources: { enc: minioSource(bucket, {
    region: 'us-east-1', clientKms: { keyId: kmsKey.alias, kmsEndpoint: testEnv().moto.endpoint, allowLegacy },
  }) } }).sources.enc!);
  const candidate = async (key: string) => {
    const head = await adminS3().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { key, etag: head.ETag!, size: head.ContentLength!, lastModified: new Date().toISOString(), change: 'new' as const };
  };

  it.each(['v1-cbc', 'v2-cbc', 'v2-gcm-kms'] as const)('the Python S3 Encryption Client with its legacy options decrypts the 1000-byte %s object built here', async (kind) => {
    const plaintext = await s3ecGet('python', { bucket, key: keyOf({ kind, size: 1000 }), kmsKeyId: kmsKey.alias, legacy: true });
    expect(plaintext.equals(plaintexts.get(keyOf({ kind, size: 1000 }))!)).toBe(true);
  }, 60_000);

  for (const o of objects) {
    it(`lands the plaintext of a ${o.size}-byte ${o.kind} object byte for byte with allowLegacy, recorded as ${o.format}`, async () => {
      const entry = await copyObject(client(true), localBackend(storeRoot), 'blobs', await candidate(keyOf(o)), () => {});
      const plaintext = plaintexts.get(keyOf(o))!;
      expect(entry).toMatchObject({ size: plaintext.length, sha256: sha(plaintext), decrypted: { format: o.format, keyId: kmsKey.alias } });
      expect(entry.verifiedBy).not.toBe('size-only');
      expect(readFileSync(join(storeRoot, ...entry.blob.split('/'))).equals(plaintext)).toBe(true);
    }, 120_000);
  }

  it.each(['v1-cbc', 'v2-cbc', 'v2-gcm-kms'] as const)('refuses the %s object by name without allowLegacy, landing nothing', async (kind) => {
    const err = await copyObject(client(false), localBackend(storeRoot), 'blobs', await candidate(keyOf({ kind, size: 1000 })), () => {}).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ kind: 'permanent', code: 'LegacyEncryptionFormat' });
    expect((err as Error).message).toMatch(/legacy format.*allowLegacy: true/);
  });
});
