import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ListPartsCommand } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import { config, minioSource, rootKeyEnv, withWorker, writeConfigFile } from '../harness/connector';
import { commitFixture } from '../harness/dataset-fixture';
import { exportArgs, listKeys, objectSha256, openUploads, runExportJob } from '../harness/export-runner';
import { adminS3, createBucket, createUser } from '../harness/minio-admin';
import { startFaultProxy } from '../harness/fault-proxy';
import { temporalClient } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';
import { startWorkerProcess } from '../harness/worker-process';

const MiB = 1024 ** 2;

/** A stream of `size` random bytes; `digest()` gives their SHA-256 once it has ended. */
function randomStream(size: number): { stream: () => Readable; digest: () => string } {
  const hash = createHash('sha256');
  let produced = 0;
  return {
    stream: () => new Readable({
      read() {
        if (produced >= size) return this.push(null);
        const chunk = randomBytes(Math.min(MiB, size - produced));
        produced += chunk.length;
        hash.update(chunk);
        this.push(chunk);
      },
    }),
    digest: () => hash.digest('hex'),
  };
}

/** Parts the store holds for the bucket's first open upload (0 while there is none). */
async function partsUploaded(bucket: string): Promise<{ uploadId?: string; parts: number }> {
  const [upload] = await openUploads(bucket);
  if (!upload) return { parts: 0 };
  const out = await adminS3().send(new ListPartsCommand({ Bucket: bucket, Key: upload.key, UploadId: upload.uploadId }));
  return { uploadId: upload.uploadId, parts: out.Parts?.length ?? 0 };
}

describe('durable exports', () => {
  let t: Awaited<ReturnType<typeof temporalClient>>;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
  });
  afterAll(() => t.close());

  async function bigFixture(hint: string, size: number) {
    const bucket = await createBucket(hint);
    const storeRoot = mkdtempSync(join(tmpdir(), `${hint}-store-`));
    const bytes = randomStream(size);
    await commitFixture(storeRoot, 'big', [{ path: 'files/big.bin', body: bytes.stream }, { path: 'files/small.txt', body: 'small\n' }]);
    const raw = {
      datasetStore: storeRoot, sources: { out: minioSource(bucket, { url: `s3://${bucket}/out/`, exports: { enabled: true }, maxConnections: 4 }) },
      exports: { big: { dataset: 'big', source: 'out', pathPrefix: 'drop/', multipartThresholdBytes: 5 * MiB, partSizeBytes: 5 * MiB } },
    };
    return { bucket, raw, sha256: bytes.digest() };
  }

  it('completes a multipart export correctly after the worker is killed with SIGKILL mid-upload, resuming the same upload, and leaves no multipart upload open', async () => {
    const { bucket, raw, sha256 } = await bigFixture('exp-kill', 200 * MiB);
    const file = writeConfigFile(raw);
    const taskQueue = `exp-kill-${Date.now()}`;
    const first = await startWorkerProcess(file, testEnv().temporalAddress, taskQueue);
    const handle = await t.client.workflow.start('fileExport', { taskQueue, workflowId: `fileExport/kill-${Date.now()}`, args: exportArgs(config(raw), 'big') });
    let seen: { uploadId?: string; parts: number } = { parts: 0 };
    while (seen.parts < 8) {
      seen = await partsUploaded(bucket);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await first.stop('SIGKILL')).toBeNull();
    expect((await partsUploaded(bucket)).parts).toBeLessThan(40); // killed mid-upload: 200 MiB is 40 parts
    const second = await startWorkerProcess(file, testEnv().temporalAddress, taskQueue);
    try {
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'completed', filesExported: 2, bytes: 200 * MiB + 6 });
      const resumed = second.output().stderr.split('\n').filter((l) => l.includes('resuming multipart upload')).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(resumed).toEqual([expect.objectContaining({ uploadId: seen.uploadId, key: 'out/drop/files/big.bin' })]);
      expect(resumed[0]!.partsDone).toBeGreaterThan(0); // not started over: the parts done before the kill were kept
    } finally {
      await second.stop('SIGTERM');
    }
    expect(await objectSha256(bucket, 'out/drop/files/big.bin')).toBe(sha256);
    expect(await openUploads(bucket)).toEqual([]);
    expect(await listKeys(bucket)).toEqual(['out/drop/files/big.bin', 'out/drop/files/small.txt']);
  });

  it('aborts the open multipart upload when the export is cancelled, leaving none behind', async () => {
    const { bucket, raw } = await bigFixture('exp-cancel', 100 * MiB);
    // Parts held back 300 ms each by an endpoint in front of MinIO: the upload is still running when cancelled.
    const proxy = await startFaultProxy(testEnv().minio.endpoint, { faults: { put: { stall: { rate: 1, ms: 300, when: (r) => r.partNumber !== undefined } } } });
    const cfg = config({ ...raw, sources: { out: { ...raw.sources.out, endpoint: proxy.endpoint, maxConnections: 1 } } });
    await withWorker(cfg, async (taskQueue) => {
      const handle = await t.client.workflow.start('fileExport', { taskQueue, workflowId: `fileExport/cancel-${Date.now()}`, args: exportArgs(cfg, 'big') });
      while ((await partsUploaded(bucket)).parts < 4) await new Promise((r) => setTimeout(r, 20));
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
    }).finally(() => proxy.close());
    expect(await openUploads(bucket)).toEqual([]);
    expect(await listKeys(bucket, 'out/drop/files/big.bin')).toEqual([]);
  });

  it('sends the canned ACL on every PutObject and CreateMultipartUpload, as a recording endpoint in front of MinIO shows', async () => {
    const { bucket, raw } = await bigFixture('exp-acl', 12 * MiB);
    const proxy = await startFaultProxy(testEnv().minio.endpoint);
    try {
      const cfg = config({ ...raw, sources: { out: { ...raw.sources.out, endpoint: proxy.endpoint } },
        exports: { big: { ...raw.exports.big, cannedAcl: 'bucket-owner-full-control' } } });
      expect(await withWorker(cfg, (q) => runExportJob(t.client, cfg, 'big', q))).toMatchObject({ filesExported: 2 });
    } finally {
      await proxy.close();
    }
    const writes = proxy.requests.filter((r) => r.method === 'PUT' || r.method === 'POST');
    const put = writes.filter((r) => r.method === 'PUT' && !r.query.includes('uploadId'));
    const create = writes.filter((r) => r.method === 'POST' && r.query.startsWith('?uploads'));
    const parts = writes.filter((r) => r.method === 'PUT' && r.query.includes('partNumber'));
    expect(put).toEqual([expect.objectContaining({ path: `/${bucket}/out/drop/files/small.txt`, acl: 'bucket-owner-full-control' })]);
    expect(create).toEqual([expect.objectContaining({ path: `/${bucket}/out/drop/files/big.bin`, acl: 'bucket-owner-full-control' })]);
    expect(parts.length).toBe(3); // 12 MiB in 5 MiB parts; the ACL belongs to the upload, not to its parts
  });

  it('succeeds for a user allowed only s3:PutObject and s3:AbortMultipartUpload on the prefix, and names the missing permission otherwise', async () => {
    const { bucket, raw } = await bigFixture('exp-least', 12 * MiB);
    const id = Math.random().toString(36).slice(2, 8);
    const writer = createUser(`exp-writer-${id}`, [{ Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: [`arn:aws:s3:::${bucket}/out/drop/*`] }]);
    const reader = createUser(`exp-reader-${id}`, [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] }]);
    const as = (keys: { accessKeyId: string; secretAccessKey: string }) => config({ ...raw, sources: { out: { ...raw.sources.out,
      credentials: { type: 'accessKey', accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey } } } });
    const ok = as(writer);
    expect(await withWorker(ok, (q) => runExportJob(t.client, ok, 'big', q))).toMatchObject({ filesExported: 2, bytes: 12 * MiB + 6 });
    expect(await listKeys(bucket)).toEqual(['out/drop/files/big.bin', 'out/drop/files/small.txt']);
    const denied = as(reader);
    await withWorker(denied, (q) => expect(runExportJob(t.client, denied, 'big', q)).rejects.toMatchObject({ cause: { cause: {
      message: expect.stringContaining(`access denied. The credentials lack s3:PutObject. Fix: grant it with {"Action":["s3:PutObject"],"Resource":["arn:aws:s3:::${bucket}/*"],"Effect":"Allow"}`),
    } } }));
    expect(await openUploads(bucket)).toEqual([]);
  });
});
