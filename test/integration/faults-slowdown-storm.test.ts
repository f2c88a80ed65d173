/**
 * A SlowDown storm (issue 16): when the store starts answering half of the GETs with 503
 * SlowDown in the middle of a sync, the job's requests in flight fall (AIMD on the worker), the
 * run's progress shows the lowered limit and the retries, and the run still lands every object
 * once, byte-exact.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progressQuery, type SyncProgress } from '../../shared/temporal-contract';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { startFaultProxy, type FaultPlan, type FaultProxy } from '../harness/fault-proxy';
import { createBucket, putObjects } from '../harness/minio-admin';
import { localDataset, runSyncJob, temporalClient } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const COUNT = 600;
const MAX_CONNECTIONS = 16;
/** GETs before the storm starts. */
const CALM_GETS = 240;

describe('a SlowDown storm in the middle of a sync', () => {
  let bucket: string;
  let storeRoot: string;
  let t: Awaited<ReturnType<typeof temporalClient>>;
  let proxy: FaultProxy | undefined;
  const objects = Array.from({ length: COUNT }, (_, i) => ({ key: `storm/${String(i).padStart(4, '0')}.bin`, body: randomBytes(300 + (i * 41) % 1500) }));

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
    bucket = await createBucket('faults-storm');
    storeRoot = mkdtempSync(join(tmpdir(), 'faults-storm-store-'));
    await putObjects(bucket, objects);
  });
  afterAll(async () => {
    await proxy?.close();
    await t.close();
    rmSync(storeRoot, { recursive: true, force: true });
  });

  it('lowers the requests in flight while half of the GETs are answered SlowDown, shows the lowered limit and the retries, and lands every object once', async () => {
    // Every GET held 50 ms before it is forwarded, so that the requests in flight at the proxy
    // follow the worker's concurrency rather than how fast this machine answers.
    const calm: FaultPlan = { get: { stall: { rate: 1, ms: 50 } } };
    // Each object is throttled at most twice: within its maxErrorRetries (3) whatever the draw.
    const storm: FaultPlan = { get: { ...calm.get, slowDown: { rate: 0.5, maxPerKey: 2 } } };
    const p = (proxy = await startFaultProxy(testEnv().minio.endpoint, { seed: 16, faults: calm }));
    const switcher = setInterval(() => {
      if (p.stats().requests.get < CALM_GETS) return;
      p.setFaults(storm);
      clearInterval(switcher);
    }, 5);
    const cfg = config({
      datasetStore: storeRoot,
      sources: { src: minioSource(bucket, { endpoint: p.endpoint, maxConnections: MAX_CONNECTIONS }) },
      syncs: { job: { source: 'src', subfolder: 'storm/', dataset: 'storm', mode: 'bulk' } },
    });
    const workflowId = `faults-storm-${Math.random().toString(36).slice(2)}`;
    const { result, progress } = await withWorker(cfg, async (q) => ({
      result: await runSyncJob(t.client, cfg, 'job', q, workflowId),
      progress: await t.client.workflow.getHandle(workflowId).query(progressQuery) as SyncProgress,
    })).finally(() => clearInterval(switcher));

    // Complete and exact.
    expect(result).toMatchObject({ status: 'completed', transaction: 1, filesAdded: COUNT });
    const view = await localDataset(storeRoot, 'storm').view();
    expect(view.size).toBe(COUNT);
    for (const o of objects) expect({ key: o.key, sha256: view.get(o.key)?.sha256 }).toEqual({ key: o.key, sha256: sha(o.body) });

    // The run's progress: the limit it ended with is below the maximum, and objects were retried.
    const slowDowns = p.stats().faults.get.slowDown;
    expect(slowDowns).toBeGreaterThan(50);
    expect(progress.retries).toBe(slowDowns);
    expect(progress.concurrency!.max).toBe(MAX_CONNECTIONS);
    expect(progress.concurrency!.limit).toBeLessThan(MAX_CONNECTIONS);

    // Requests in flight, per 100 ms, before the storm (after the first 300 ms) and in it (after
    // 3 s, time for the limit to be halved a few times at most once a second).
    const gets = p.requests.filter((r) => r.kind === 'get');
    const first = gets[0]!.at;
    const stormAt = gets.find((r) => r.faults.includes('slowDown'))!.at;
    const last = Math.max(...gets.map((r) => r.endedAt ?? Infinity));
    const windows = p.inFlight({ windowMs: 100, kind: 'get' });
    const during = (from: number, to: number) => windows.filter((w) => w.at >= from && w.at + 100 <= to);
    const calmWindows = during(first + 300, stormAt);
    const stormWindows = during(stormAt + 3000, last);
    expect(calmWindows.length).toBeGreaterThanOrEqual(3);
    expect(stormWindows.length).toBeGreaterThanOrEqual(10);
    const peak = (ws: typeof windows) => Math.max(...ws.map((w) => w.max));
    const rate = (ws: typeof windows) => ws.reduce((n, w) => n + w.arrived, 0) / ws.length;
    // Before the storm the job used most of its 16 connections; in it, at most half as many at any moment.
    expect(peak(calmWindows)).toBeGreaterThanOrEqual(MAX_CONNECTIONS / 2);
    expect(peak(stormWindows)).toBeLessThanOrEqual(peak(calmWindows) / 2);
    // And it sent fewer requests per second, SlowDown replies included (about a sixth as many
    // on an idle machine; a loaded one sends fewer before the storm).
    expect(rate(stormWindows)).toBeLessThan(rate(calmWindows) * 2 / 3);
  });
});
