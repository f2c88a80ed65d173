/**
 * A key the identity may not use, against a moto that enforces IAM (test/harness/kms-iam.ts):
 * reading needs kms:Decrypt, exporting kms:GenerateDataKey; each denial names the permission
 * and the key, and check reports it.
 */
import { GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localBackend } from '../../datasets/local-backend';
import { checkPermissions } from '../../exploration/check';
import { createSourceClient } from '../../s3/client';
import { copyObject } from '../../syncs/object-copy';
import { config, minioSource } from '../harness/connector';
import { startIamMoto, type IamMoto } from '../harness/kms-iam';
import { adminS3, createBucket } from '../harness/minio-admin';
import { sealV2 } from '../harness/spec-envelopes';

describe('a KMS key the source\'s identity may not use', () => {
  let moto: IamMoto;
  let bucket: string;
  let storeRoot: string;
  let key: { keyId: string; arn: string };
  beforeAll(async () => {
    moto = await startIamMoto();
    bucket = await createBucket('kmsiam');
    storeRoot = mkdtempSync(join(tmpdir(), 'kmsiam-'));
    key = await moto.createKey();
    const context = { 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding' };
    const dataKey = await new KMSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: moto.admin })
      .send(new GenerateDataKeyCommand({ KeyId: key.keyId, KeySpec: 'AES_256', EncryptionContext: context }));
    const sealed = sealV2(Buffer.from('secret'), Buffer.from(dataKey.Plaintext!), Buffer.from(dataKey.CiphertextBlob!), context);
    await adminS3().send(new PutObjectCommand({ Bucket: bucket, Key: 'a.txt', Body: sealed.body, Metadata: sealed.metadata }));
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
    rmSync(storeRoot, { recursive: true, force: true });
  });

  /** A client of the bucket signing S3 and KMS requests as an identity allowed `actions`. */
  const clientAllowed = async (name: string, actions: string[]) => {
    const identity = await moto.createIdentity(name, actions);
    Object.assign(process.env, { [`IAM_${name}_KEY`]: identity.accessKeyId, [`IAM_${name}_SECRET`]: identity.secretAccessKey });
    return createSourceClient('enc', config({ sources: { enc: minioSource(bucket, {
      region: 'us-east-1', exports: { enabled: true },
      credentials: { type: 'accessKey', accessKeyId: `\${env:IAM_${name}_KEY}`, secretAccessKey: `\${env:IAM_${name}_SECRET}` },
      clientKms: { keyId: key.arn, kmsEndpoint: moto.endpoint },
    }) } }).sources.enc!);
  };

  it('fails a read without kms:Decrypt, naming kms:Decrypt and the key, and check reports it missing', async () => {
    const client = await clientAllowed('nodecrypt', ['kms:GenerateDataKey']);
    const head = await adminS3().send(new HeadObjectCommand({ Bucket: bucket, Key: 'a.txt' }));
    const err = await copyObject(client, localBackend(storeRoot), 'blobs', { key: 'a.txt', etag: head.ETag!, size: head.ContentLength!, lastModified: '', change: 'new' }, () => {})
      .then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ kind: 'permanent', code: 'AccessDeniedException' });
    expect((err as Error).message).toContain(`kms:Decrypt on key ${key.arn} was denied. Fix: grant the source's identity kms:Decrypt on ${key.arn}`);
    const probes = (await checkPermissions(client)).probes.filter((p) => p.permission.startsWith('kms:'));
    expect(probes).toEqual([{ permission: 'kms:GenerateDataKey', status: 'ok' }, expect.objectContaining({ permission: 'kms:Decrypt', status: 'missing' })]);
  });

  it('reports kms:GenerateDataKey missing for an identity allowed no KMS action', async () => {
    const client = await clientAllowed('nokms', []);
    const probes = (await checkPermissions(client)).probes.filter((p) => p.permission.startsWith('kms:'));
    expect(probes).toEqual([expect.objectContaining({ permission: 'kms:GenerateDataKey', status: 'missing', fix: expect.stringContaining(`kms:GenerateDataKey on ${key.arn}`) })]);
  });
});
