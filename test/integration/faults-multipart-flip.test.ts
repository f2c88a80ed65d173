/**
 * A byte damaged on the way in a multipart object's second part (issue 16): the sync checks the
 * object part by part against its multipart ETag, so the damage is caught as a transient
 * mismatch. Damaged once, the object is read again and lands right; damaged on every read, the
 * run fails after its retries, naming the object, and lands nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand, type CompletedPart } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import { progressQuery, type SyncProgress } from '../../shared/temporal-contract';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy';
import { adminS3, createBucket, putObjects } from '../harness/minio-admin';
import { localDataset, runSyncJob, temporalClient } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const MiB = 1024 * 1024;
/** A byte in the second part. */
const IN_PART_2 = 5 * MiB + 4321;

describe('a byte flipped in a multipart object on its way to the worker', () => {
  let bucket: string;
  let storeRoot: string;
  let t: Awaited<ReturnType<typeof temporalClient>>;
  let proxy: FaultProxy | undefined;
  const big = randomBytes(12 * MiB);
  const small = Array.from({ length: 30 }, (_, i) => ({ key: `small/${String(i).padStart(2, '0')}.bin`, body: randomBytes(500 + i * 31) }));
  const expected = new Map([['big/twelve.bin', sha(big)], ...small.map((o) => [o.key, sha(o.body)] as [string, string])]);

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
    bucket = await createBucket('faults-flip');
    storeRoot = mkdtempSync(join(tmpdir(), 'faults-flip-store-'));
    await putObjects(bucket, small);
    // Parts of 5 MiB, 5 MiB and 2 MiB, without checksums: only the multipart ETag (the MD5 of the parts' MD5s) can tell.
    const s3 = adminS3({ requestChecksumCalculation: 'WHEN_REQUIRED' });
    const key = 'big/twelve.bin';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const parts: CompletedPart[] = [];
    for (const [i, at] of [0, 5 * MiB, 10 * MiB].entries()) {
      const part = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: big.subarray(at, Math.min(at + 5 * MiB, big.length)) }));
      parts.push({ PartNumber: i + 1, ETag: part.ETag });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(async () => {
    await t.close();
    rmSync(storeRoot, { recursive: true, force: true });
  });

  const cfgFor = (p: FaultProxy, dataset: string) => config({
    datasetStore: storeRoot,
    sources: { src: minioSource(bucket, { endpoint: p.endpoint, maxErrorRetries: 1 }) },
    syncs: { job: { source: 'src', dataset, mode: 'bulk' } },
  });
  const getsOf = (p: FaultProxy, key: string) => p.requests.filter((r) => r.kind === 'get' && r.path === `/${bucket}/${key}`);

  it('catches a byte flipped in part 2 by the multipart ETag, reads the object again and lands its exact bytes', async () => {
    // Every object's first GET is damaged (the small ones in their last byte), and no later one.
    const p = (proxy = await startFaultProxy(testEnv().minio.endpoint, { faults: { get: { flip: { rate: 1, offset: IN_PART_2, maxPerKey: 1 } } } }));
    const cfg = cfgFor(p, 'once');
    const workflowId = `faults-flip-${Math.random().toString(36).slice(2)}`;
    const { result, progress } = await withWorker(cfg, async (q) => ({
      result: await runSyncJob(t.client, cfg, 'job', q, workflowId),
      progress: await t.client.workflow.getHandle(workflowId).query(progressQuery) as SyncProgress,
    }));
    expect(result).toMatchObject({ status: 'completed', transaction: 1, filesAdded: 31 });
    const view = await localDataset(storeRoot, 'once').view();
    expect([...view.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [path, entry] of view) {
      expect({ path, sha256: entry.sha256 }).toEqual({ path, sha256: expected.get(path) });
      expect(sha(readFileSync(join(storeRoot, ...entry.blob.split('/'))))).toBe(entry.sha256);
    }
    expect(view.get('big/twelve.bin')).toMatchObject({ verifiedBy: 'multipart-md5-etag', size: big.length });
    // The damaged byte did pass, once per object, and each object was read twice.
    expect(p.stats().faults.get.flip).toBe(31);
    expect(getsOf(p, 'big/twelve.bin').map((r) => r.faults)).toEqual([['flip'], []]);
    expect(progress.retries).toBe(31);
  });

  it('fails the run naming the object when every read of it is damaged, after (maxErrorRetries + 1)^2 reads, and lands no transaction', async () => {
    const p = (proxy = await startFaultProxy(testEnv().minio.endpoint, {
      faults: { get: { flip: { rate: 1, offset: IN_PART_2, when: (r) => r.key === 'big/twelve.bin' } } },
    }));
    const cfg = cfgFor(p, 'always');
    const err = await withWorker(cfg, (q) => runSyncJob(t.client, cfg, 'job', q).then(() => undefined, (e: unknown) => e));
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const message = String(((err as WorkflowFailedError).cause?.cause as Error | undefined)?.message);
    expect(message).toContain(`GetObject s3://${bucket}/big/twelve.bin: the bytes read do not match the source's multipart ETag`);
    expect(message).toContain('Gave up after 2 attempts of this object');
    // maxErrorRetries: 1 gives each of two activity attempts two reads of the object, each damaged.
    expect(getsOf(p, 'big/twelve.bin').map((r) => r.faults)).toEqual(Array(4).fill(['flip']));
    expect(await localDataset(storeRoot, 'always').transactions()).toEqual([]);
  });
});
