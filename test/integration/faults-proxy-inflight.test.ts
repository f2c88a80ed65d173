/**
 * The fault proxy's additions for the fault tests: when each reply ended, the requests in flight
 * per window, and a Retry-After decided per request.
 */
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy';
import { createBucket, putObjects } from '../harness/minio-admin';
import { testEnv } from '../harness/test-env';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the fault proxy records how long requests were in flight', () => {
  let bucket: string;
  let proxy: FaultProxy | undefined;
  beforeAll(async () => {
    bucket = await createBucket('faults-inflight');
    await putObjects(bucket, Array.from({ length: 4 }, (_, i) => ({ key: `k${i}`, body: `body ${i}` })));
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  it('records when each reply ended and counts the most requests in flight at once per window', async () => {
    // GETs held 300 ms: three sent at once overlap, then one alone after a pause.
    const p = (proxy = await startFaultProxy(testEnv().minio.endpoint, { faults: { get: { stall: { rate: 1, ms: 300 } } } }));
    const get = (key: string) => fetch(`${p.endpoint}/${bucket}/${key}`).then((r) => r.arrayBuffer());
    await Promise.all(['k0', 'k1', 'k2'].map(get));
    await sleep(400);
    await get('k3');
    await sleep(250);
    const [a, b, c, d] = p.requests;
    for (const r of [a, b, c, d]) expect(r!.endedAt! - r!.at).toBeGreaterThanOrEqual(295);
    const windows = p.inFlight({ windowMs: 100 });
    const peaks = windows.map((w) => w.max);
    expect(Math.max(...peaks)).toBe(3);
    // The lone request: one in flight in its windows, and a quiet gap before it.
    const lone = windows.filter((w) => w.at >= Math.floor(d!.at / 100) * 100 && w.at < d!.endedAt! - 100);
    expect(lone.length).toBeGreaterThanOrEqual(2);
    expect(lone.every((w) => w.max === 1)).toBe(true);
    expect(windows.some((w) => w.at > c!.endedAt! && w.at + 100 < d!.at && w.max === 0)).toBe(true);
    expect(windows.reduce((n, w) => n + w.arrived, 0)).toBe(4);
    // After the last reply ended, nothing is in flight.
    expect(windows.at(-1)!.max).toBe(0);
  });

  it('sends Retry-After with the SlowDown replies its function gives a value for, and none with the others', async () => {
    const p = (proxy = await startFaultProxy(testEnv().minio.endpoint, {
      faults: { get: { slowDown: { rate: 1, retryAfterSeconds: (r) => (r.key === 'k1' ? 3 : undefined) } } },
    }));
    const replies = await Promise.all(['k0', 'k1'].map((k) => fetch(`${p.endpoint}/${bucket}/${k}`)));
    expect(replies.map((r) => [r.status, r.headers.get('retry-after')])).toEqual([[503, null], [503, '3']]);
    await Promise.all(replies.map((r) => r.arrayBuffer()));
  });
});
