/**
 * Syncs through the fault proxy (issue 16): a few percent of GETs reset mid-body and of requests
 * answered 503 SlowDown (some with Retry-After) must cost retries of single objects, never a
 * failed run, a missing object or a duplicated one; resets of LIST replies are retried by the
 * SDK per request.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import { progressQuery, type SyncProgress } from '../../shared/temporal-contract';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { startFaultProxy, type FaultPlan, type FaultProxy, type FaultRequest } from '../harness/fault-proxy';
import { adminS3, createBucket, putObjects } from '../harness/minio-admin';
import { localDataset, runSyncJob, temporalClient } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Small objects of 200 B to 3 KiB, random bytes. */
const objects = (prefix: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => ({
  key: `${prefix}${String(from + i).padStart(4, '0')}.bin`, body: randomBytes(200 + ((from + i) * 37) % 2900),
}));

/** Retry-After: 1 s on the SlowDown replies to one key in four (by the key's hash), none on the others. */
const retryAfterFor = (key: string) => (createHash('sha256').update(key).digest()[0]! % 4 === 0 ? 1 : undefined);
const someRetryAfter = (r: FaultRequest) => retryAfterFor(r.key);

/** 5% of GETs reset mid-body, 10% of every kind of request answered SlowDown. */
const resetsAndSlowDown: FaultPlan = {
  get: { reset: { rate: 0.05, afterBytes: 100 }, slowDown: { rate: 0.1, retryAfterSeconds: someRetryAfter } },
  all: { slowDown: { rate: 0.1, retryAfterSeconds: someRetryAfter } },
};

/** The number of starts of each activity type in a run's history, and its highest attempt. */
async function activityAttempts(client: Client, workflowId: string): Promise<Record<string, { started: number; maxAttempt: number }>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, string>();
  const out: Record<string, { started: number; maxAttempt: number }> = {};
  for (const e of history.events ?? []) {
    const type = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (type) scheduled.set(String(e.eventId), type);
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const name = scheduled.get(String(started.scheduledEventId))!;
      const seen = (out[name] ??= { started: 0, maxAttempt: 0 });
      seen.started += 1;
      seen.maxAttempt = Math.max(seen.maxAttempt, started.attempt ?? 1);
    }
  }
  return out;
}

describe('syncs through a network that resets and a store that throttles', () => {
  let bucket: string;
  let storeRoot: string;
  let t: Awaited<ReturnType<typeof temporalClient>>;
  let proxy: FaultProxy | undefined;
  /** What was uploaded, by key: the bytes' SHA-256. */
  const uploaded = new Map<string, string>();
  const put = async (list: Array<{ key: string; body: Buffer }>) => {
    await putObjects(bucket, list);
    for (const o of list) uploaded.set(o.key, sha(o.body));
  };

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
    bucket = await createBucket('faults-sync');
    storeRoot = mkdtempSync(join(tmpdir(), 'faults-sync-store-'));
    await put([...objects('bulk/', 400), ...objects('inc/', 320), ...objects('paged/', 400)]);
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(async () => {
    await t.close();
    rmSync(storeRoot, { recursive: true, force: true });
  });

  const cfgFor = (p: FaultProxy, job: { subfolder: string; mode: 'bulk' | 'incremental'; pageSize?: number }) => config({
    datasetStore: storeRoot,
    sources: { src: minioSource(bucket, { endpoint: p.endpoint, maxConnections: 16 }) },
    syncs: { job: { source: 'src', dataset: job.subfolder.replace('/', ''), ...job } },
  });

  /** Runs the job on a worker of its own; returns the result, the run's progress and its activities' attempts. */
  async function run(cfg: ReturnType<typeof config>) {
    const workflowId = `faults-sync-${Math.random().toString(36).slice(2)}`;
    return withWorker(cfg, async (q) => {
      const result = await runSyncJob(t.client, cfg, 'job', q, workflowId);
      const progress = await t.client.workflow.getHandle(workflowId).query(progressQuery) as SyncProgress;
      return { result, progress, attempts: await activityAttempts(t.client, workflowId) };
    });
  }

  /** Every file of transaction `id` of `dataset`, each once, holding exactly the bytes uploaded under its key. */
  async function expectExactly(dataset: string, id: number, keys: string[]) {
    const ds = localDataset(storeRoot, dataset);
    const record = (await ds.transactions()).find((r) => r.id === id)!;
    const files = await ds.transactionFiles(record);
    expect(files.map((f) => f.source.key).sort()).toEqual([...keys].sort());
    expect(new Set(files.map((f) => f.path)).size).toBe(files.length);
    for (const f of files) {
      expect({ key: f.source.key, sha256: f.sha256 }).toEqual({ key: f.source.key, sha256: uploaded.get(f.source.key) });
      // The blob holds those bytes, read back from the store.
      expect(sha(readFileSync(join(storeRoot, ...f.blob.split('/'))))).toBe(f.sha256);
    }
  }

  it('completes a bulk import of 400 objects with 5% of GETs reset mid-body and 10% of requests throttled, as one snapshot holding each object once, byte-exact, waiting out each Retry-After and reporting the retries', async () => {
    const p = (proxy = await startFaultProxy(testEnv().minio.endpoint, { seed: 16, faults: resetsAndSlowDown }));
    const { result, progress, attempts } = await run(cfgFor(p, { subfolder: 'bulk/', mode: 'bulk' }));
    expect(result).toMatchObject({ status: 'completed', transaction: 1, transactionType: 'SNAPSHOT', filesAdded: 400, filesSkipped: 0 });
    expect(await localDataset(storeRoot, 'bulk').transactions()).toHaveLength(1);
    await expectExactly('bulk', 1, [...uploaded.keys()].filter((k) => k.startsWith('bulk/')));

    const { faults } = p.stats();
    expect(faults.get.reset).toBeGreaterThan(5);
    expect(faults.get.slowDown).toBeGreaterThan(10);
    // Some SlowDown replies carried Retry-After, some did not.
    // An object's next request waited out a Retry-After; without one, the backoff was shorter.
    const gaps = p.requests.filter((r) => r.faults.includes('slowDown')).map((r) => {
      const next = p.requests.find((n) => n.path === r.path && n.at >= r.at && n !== r)!;
      return { retryAfter: retryAfterFor(r.path.slice(bucket.length + 2)), gap: next.at - r.at };
    });
    const withHeader = gaps.filter((g) => g.retryAfter !== undefined);
    expect(withHeader.length).toBeGreaterThan(0);
    expect(withHeader.every((g) => g.gap >= 990)).toBe(true);
    expect(gaps.filter((g) => g.retryAfter === undefined).some((g) => g.gap < 500)).toBe(true);
    expect(progress).toMatchObject({ phase: 'done', filesCopied: 400, concurrency: { max: 16 } });
    // Each fault cost one retry of its object, and no page failed for it (the seed decides which
    // requests are hit: none of these objects was hit maxErrorRetries + 1 times in a row).
    expect(attempts.syncCopyPage!.maxAttempt).toBe(1);
    expect(progress.retries).toBe(faults.get.reset + faults.get.slowDown);
    expect(p.stats().requests.get).toBe(400 + progress.retries);
  });

  it('completes an incremental sync through the same faults: the first run lands every object once, the next only what changed', async () => {
    const p = (proxy = await startFaultProxy(testEnv().minio.endpoint, { seed: 17, faults: resetsAndSlowDown }));
    const cfg = cfgFor(p, { subfolder: 'inc/', mode: 'incremental' });
    const first = await run(cfg);
    expect(first.result).toMatchObject({ status: 'completed', transaction: 1, filesAdded: 320, filesSkipped: 0 });
    expect(first.progress.retries).toBeGreaterThan(0);
    await expectExactly('inc', 1, [...uploaded.keys()].filter((k) => k.startsWith('inc/')));

    // 30 changed, 30 new, 10 deleted; the second run goes through the faults too.
    const changed = objects('inc/', 30, 100).map((o) => ({ ...o, body: randomBytes(o.body.length + 1) }));
    const added = objects('inc/', 30, 1000);
    await put([...changed, ...added]);
    const deleted = Array.from({ length: 10 }, (_, i) => `inc/${String(200 + i).padStart(4, '0')}.bin`);
    await adminS3().send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: deleted.map((Key) => ({ Key })) } }));
    const faultsBefore = p.stats().faultsTotal;
    const second = await run(cfg);
    expect(p.stats().faultsTotal).toBeGreaterThan(faultsBefore);
    expect(second.result).toMatchObject({ status: 'completed', transaction: 2, filesAdded: 60 });
    expect(await localDataset(storeRoot, 'inc').transactions()).toHaveLength(2);
    await expectExactly('inc', 2, [...changed, ...added].map((o) => o.key));
  });

  it('completes a bulk import listed in pages of 40 whose LIST replies are reset mid-body, the SDK retrying each LIST without failing an activity', async () => {
    // A third of the LIST replies cut after 300 bytes, each list position at most twice: within
    // the SDK's maxErrorRetries + 1 attempts of one request.
    const p = (proxy = await startFaultProxy(testEnv().minio.endpoint, { seed: 18, faults: { list: { reset: { rate: 0.35, afterBytes: 300, maxPerKey: 2 } } } }));
    const { result, attempts } = await run(cfgFor(p, { subfolder: 'paged/', mode: 'bulk', pageSize: 40 }));
    expect(result).toMatchObject({ status: 'completed', transaction: 1, filesAdded: 400 });
    await expectExactly('paged', 1, [...uploaded.keys()].filter((k) => k.startsWith('paged/')));

    const lists = p.requests.filter((r) => r.kind === 'list');
    const positions = new Set(lists.map((r) => r.key));
    expect(positions.size).toBeGreaterThanOrEqual(10); // 400 objects in pages of 40
    expect(p.stats().faults.list.reset).toBeGreaterThanOrEqual(2);
    // Each reset LIST was sent again: as many more requests as resets.
    expect(lists.length).toBe(positions.size + p.stats().faults.list.reset);
    // The SDK's retries absorbed them: no plan (or copy) activity needed a second attempt.
    expect(attempts.syncPlanPage!.maxAttempt).toBe(1);
    expect(attempts.syncCopyPage!.maxAttempt).toBe(1);
  });
});
