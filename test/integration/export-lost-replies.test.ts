import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { commitFixture } from '../harness/dataset-fixture';
import { listKeys, objectSha256, openUploads } from '../harness/export-runner';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy';
import { createBucket } from '../harness/minio-admin';
import { temporalClient } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';
import { fileExport } from '../../workflows';

const MiB = 1024 * 1024;

describe('multipart exports whose replies are lost', () => {
  let t: Awaited<ReturnType<typeof temporalClient>>;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
  });
  afterAll(() => t.close());

  /** Exports one 11 MiB file in 5 MiB parts through `proxy`, returning the workflow's result. */
  async function exportThrough(proxy: FaultProxy, bucket: string, body: Buffer) {
    const storeRoot = mkdtempSync(join(tmpdir(), 'lost-replies-'));
    await commitFixture(storeRoot, 'd', [{ path: 'big.bin', body }]);
    const cfg = config({ datasetStore: storeRoot, sources: { out: minioSource(bucket, { endpoint: proxy.endpoint, exports: { enabled: true }, maxErrorRetries: 2 }) },
      exports: { e: { dataset: 'd', source: 'out', multipartThresholdBytes: 5 * MiB, partSizeBytes: 5 * MiB } } });
    return withWorker(cfg, (taskQueue) => t.client.workflow.execute(fileExport, {
      taskQueue, workflowId: `fileExport/lost-${Math.random().toString(36).slice(2)}`, args: [{ job: 'e', source: 'out', dataset: 'd', maxErrorRetries: 2 }],
    }));
  }

  it('completes when the store completed the upload but its reply was lost and the retried completion finds no upload', async () => {
    const bucket = await createBucket('lost-complete');
    const body = randomBytes(11 * MiB);
    // The completion reaches MinIO, which completes the upload; the connection is reset before the reply.
    const proxy = await startFaultProxy(testEnv().minio.endpoint, { faults: { other: { reset: { rate: 1, maxPerKey: 1,
      when: (r) => r.method === 'POST' && r.query.has('uploadId') } } } });
    try {
      const result = await exportThrough(proxy, bucket, body);
      expect(result).toMatchObject({ filesExported: 1, bytes: body.length });
      expect(proxy.stats().faultsTotal).toBe(1);
    } finally {
      await proxy.close();
    }
    expect(await listKeys(bucket)).toEqual(['big.bin']);
    expect(await objectSha256(bucket, 'big.bin')).toBe(createHash('sha256').update(body).digest('hex'));
    expect(await openUploads(bucket)).toEqual([]);
  });

  it('leaves no upload open when the reply to CreateMultipartUpload was lost and the SDK created a second one', async () => {
    const bucket = await createBucket('lost-create');
    const body = randomBytes(11 * MiB);
    const proxy = await startFaultProxy(testEnv().minio.endpoint, { faults: { other: { reset: { rate: 1, maxPerKey: 1,
      when: (r) => r.method === 'POST' && r.query.has('uploads') } } } });
    try {
      expect(await exportThrough(proxy, bucket, body)).toMatchObject({ filesExported: 1 });
      expect(proxy.stats().faultsTotal).toBe(1);
    } finally {
      await proxy.close();
    }
    expect(await objectSha256(bucket, 'big.bin')).toBe(createHash('sha256').update(body).digest('hex'));
    expect(await openUploads(bucket)).toEqual([]);
  });
});
