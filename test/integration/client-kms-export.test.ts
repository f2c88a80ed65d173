import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { checkPermissions } from '../../exploration/check';
import { createSourceClient } from '../../s3/client';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { runExportJob } from '../harness/export-runner';
import { adminS3, createBucket } from '../harness/minio-admin';
import { createKmsKey, s3ecGet, type S3ecClient } from '../harness/s3ec-clients';
import { runSyncJob, temporalClient } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';

const MiB = 1024 * 1024;

describe('exports to a clientKms source are written in the v2 format, which the AWS S3 Encryption Clients decrypt', () => {
  let inBucket: string;
  let outBucket: string;
  let storeRoot: string;
  let kmsKey: { keyId: string; arn: string; alias: string };
  let t: Awaited<ReturnType<typeof temporalClient>>;
  const files: Record<string, Buffer> = { 'empty.bin': Buffer.alloc(0), 'small.csv': Buffer.from('id,name\n1,a\n2,b\n'), 'multipart.bin': randomBytes(13 * MiB + 5) };

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
    [inBucket, outBucket] = await Promise.all([createBucket('kmsexp-in'), createBucket('kmsexp-out')]);
    storeRoot = mkdtempSync(join(tmpdir(), 'kmsexp-store-'));
    kmsKey = await createKmsKey('export');
    for (const [key, body] of Object.entries(files)) await adminS3().send(new PutObjectCommand({ Bucket: inBucket, Key: key, Body: body }));
  }, 60_000);
  afterAll(async () => {
    await t.close();
    rmSync(storeRoot, { recursive: true, force: true });
  });

  const outSource = () => minioSource(outBucket, { region: 'us-east-1', exports: { enabled: true }, clientKms: { keyId: kmsKey.alias, kmsEndpoint: testEnv().moto.endpoint } });

  it('exports plain dataset files encrypted (single PUTs and a multipart upload) that the Python and Go clients decrypt byte for byte', async () => {
    const cfg = config({
      datasetStore: storeRoot,
      sources: { src: minioSource(inBucket), out: outSource() },
      syncs: { pull: { source: 'src', dataset: 'plain', mode: 'bulk' } },
      exports: { push: { dataset: 'plain', source: 'out', pathPrefix: 'enc', multipartThresholdBytes: 8 * MiB, partSizeBytes: 5 * MiB } },
    });
    const result = await withWorker(cfg, async (q) => {
      await runSyncJob(t.client, cfg, 'pull', q);
      return runExportJob(t.client, cfg, 'push', q);
    });
    expect(result).toMatchObject({ status: 'completed', filesExported: 3 });
    for (const [name, plaintext] of Object.entries(files)) {
      const head = await adminS3().send(new HeadObjectCommand({ Bucket: outBucket, Key: `enc/${name}` }));
      // The stored object is the ciphertext: the plaintext and the 16-byte GCM tag.
      expect(head.ContentLength).toBe(plaintext.length + 16);
      expect(head.Metadata).toMatchObject({ 'x-amz-cek-alg': 'AES/GCM/NoPadding', 'x-amz-wrap-alg': 'kms+context', 'x-amz-tag-len': '128' });
      for (const client of ['python', 'go'] as S3ecClient[]) {
        const decrypted = await s3ecGet(client, { bucket: outBucket, key: `enc/${name}`, kmsKeyId: kmsKey.alias });
        expect(decrypted.equals(plaintext)).toBe(true);
      }
    }
  }, 240_000);

  it('check SOURCE probes kms:GenerateDataKey and kms:Decrypt on the key', async () => {
    const client = createSourceClient('out', config({ sources: { out: outSource() } }).sources.out!);
    const result = await checkPermissions(client);
    expect(result.probes.filter((p) => p.permission.startsWith('kms:'))).toEqual([
      { permission: 'kms:GenerateDataKey', status: 'ok' }, { permission: 'kms:Decrypt', status: 'ok' },
    ]);
    const missing = createSourceClient('out', config({ sources: { out: minioSource(outBucket, { region: 'us-east-1', clientKms: { keyId: 'alias/no-such-key', kmsEndpoint: testEnv().moto.endpoint } }) } }).sources.out!);
    const probes = (await checkPermissions(missing)).probes.filter((p) => p.permission.startsWith('kms:'));
    expect(probes).toEqual([expect.objectContaining({ permission: 'kms:GenerateDataKey', status: expect.stringMatching(/missing|error/), detail: expect.stringContaining('alias/no-such-key') })]);
  });
});
