import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { startFaultProxy } from '../harness/fault-proxy';
import { adminS3, createBucket } from '../harness/minio-admin';
import { localDataset, runSyncJob, temporalClient } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';

const MiB = 1024 * 1024;

describe('a large object cut by resets', () => {
  let t: Awaited<ReturnType<typeof temporalClient>>;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
  });
  afterAll(() => t.close());

  it('goes on from the bytes already received, asking for the rest with a Range, and lands whole', async () => {
    const bucket = await createBucket('resume-body');
    const body = randomBytes(6 * MiB);
    await adminS3().send(new PutObjectCommand({ Bucket: bucket, Key: 'in/big.bin', Body: body }));
    const ranges: Array<string | undefined> = [];
    // The first GET and the first resumed one are both cut 2 MiB into their reply.
    const proxy = await startFaultProxy(testEnv().minio.endpoint, { faults: { get: { reset: { rate: 1, afterBytes: 2 * MiB, maxPerKey: 2,
      when: (r) => { ranges.push(r.range); return true; } } } } });
    const storeRoot = mkdtempSync(join(tmpdir(), 'resume-body-'));
    const cfg = config({ datasetStore: storeRoot, sources: { src: minioSource(bucket, { endpoint: proxy.endpoint, maxErrorRetries: 3 }) },
      syncs: { job: { source: 'src', subfolder: 'in/', dataset: 'ds', mode: 'bulk' } } });
    try {
      const result = await withWorker(cfg, (q) => runSyncJob(t.client, cfg, 'job', q));
      expect(result).toMatchObject({ transaction: 1, filesAdded: 1, bytes: body.length });
    } finally {
      await proxy.close();
    }
    expect(ranges[0]).toBeUndefined();
    const starts = ranges.slice(1).map((r) => Number(/^bytes=(\d+)-$/.exec(r ?? '')?.[1]));
    expect(starts).toHaveLength(2);
    expect(starts[0]).toBeGreaterThan(0);
    expect(starts[1]).toBeGreaterThan(starts[0]!);
    expect(starts[1]).toBeLessThan(body.length);
    const [file] = await localDataset(storeRoot, 'ds').transactionFiles((await localDataset(storeRoot, 'ds').transactions())[0]!);
    expect(file).toMatchObject({ path: 'in/big.bin', size: body.length, sha256: createHash('sha256').update(body).digest('hex') });
  });
});
