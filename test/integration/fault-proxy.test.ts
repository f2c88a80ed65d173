import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { startFaultProxy, type FaultProxy, type FaultProxyOptions } from '../harness/fault-proxy';
import { adminS3, createBucket, putObjects } from '../harness/minio-admin';
import { testEnv } from '../harness/test-env';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads a body to its end or its error: the bytes that arrived, the error, and when the first `mark` bytes had arrived. */
async function drain(body: IncomingMessage, mark = 0): Promise<{ bytes: Buffer; error?: NodeJS.ErrnoException; markedAt?: number }> {
  const chunks: Buffer[] = [];
  let length = 0;
  let markedAt: number | undefined;
  try {
    for await (const chunk of body) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (markedAt === undefined && length >= mark) markedAt = Date.now();
    }
    return { bytes: Buffer.concat(chunks), markedAt };
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error: error as NodeJS.ErrnoException, markedAt };
  }
}

describe('the fault proxy in front of MinIO', () => {
  let bucket: string;
  let proxy: FaultProxy | undefined;
  const body = randomBytes(64 * 1024);
  const store = () => adminS3();
  /** An SDK client through the proxy: one attempt per request, reply checksums not checked (the proxy's flips must reach the caller). */
  const via = (p: FaultProxy): S3Client => adminS3({ endpoint: p.endpoint, maxAttempts: 1, responseChecksumValidation: 'WHEN_REQUIRED' });
  const start = async (options: FaultProxyOptions = {}) => (proxy = await startFaultProxy(testEnv().minio.endpoint, options));
  const get = async (s3: S3Client, key: string, options: { abortSignal?: AbortSignal } = {}) =>
    (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), options)).Body as IncomingMessage;

  beforeAll(async () => {
    bucket = await createBucket('fault-proxy');
    await putObjects(bucket, [{ key: 'big.bin', body }, ...Array.from({ length: 40 }, (_, i) => ({ key: `small/${String(i).padStart(2, '0')}.txt`, body: `small ${i}\n` }))]);
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  it('forwards signed requests verbatim, so PUT, GET, HEAD and LIST succeed, and counts them per kind and per key', async () => {
    const p = await start();
    const s3 = via(p);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'through/proxy.txt', Body: 'through the proxy' }));
    expect((await drain(await get(s3, 'through/proxy.txt'))).bytes.toString()).toBe('through the proxy');
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'through/proxy.txt' }));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'through/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['through/proxy.txt']);
    expect((await drain(await get(store(), 'through/proxy.txt'))).bytes.toString()).toBe('through the proxy');

    expect(p.stats()).toMatchObject({ requests: { put: 1, get: 1, other: 1, list: 1, total: 4 }, faultsTotal: 0 });
    expect(p.stats().perKey.get(`${bucket}/through/proxy.txt`)).toBe(3);
    expect(p.requests.map((r) => [r.method, r.kind, r.path])).toEqual([
      ['PUT', 'put', `/${bucket}/through/proxy.txt`], ['GET', 'get', `/${bucket}/through/proxy.txt`],
      ['HEAD', 'other', `/${bucket}/through/proxy.txt`], ['GET', 'list', `/${bucket}/`],
    ]);
  });

  it('resets a GET mid-body after the given number of bytes, so the client reads exactly that many and then ECONNRESET', async () => {
    const p = await start({ faults: { get: { reset: { rate: 1, afterBytes: 10_000 } } } });
    const { bytes, error } = await drain(await get(via(p), 'big.bin'));
    expect(error).toMatchObject({ code: 'ECONNRESET' });
    expect(bytes.equals(body.subarray(0, 10_000))).toBe(true);
    // Beyond the body's end, the reset still comes before its last byte.
    p.setFaults({ get: { reset: { rate: 1, afterBytes: 1_000_000 } } });
    const cut = await drain(await get(via(p), 'big.bin'));
    expect(cut.error).toMatchObject({ code: 'ECONNRESET' });
    expect(cut.bytes.length).toBe(body.length - 1);
    expect(p.stats().faults.get.reset).toBe(2);
  });

  it('resets before any reply after forwarding, so a PUT lands in the store while its client sees ECONNRESET', async () => {
    const p = await start({ faults: { put: { reset: { rate: 1 } } } });
    await expect(via(p).send(new PutObjectCommand({ Bucket: bucket, Key: 'reset/put.txt', Body: 'landed anyway' }))).rejects.toThrow(/ECONNRESET/);
    expect((await drain(await get(store(), 'reset/put.txt'))).bytes.toString()).toBe('landed anyway');
    expect(p.stats().faults.put.reset).toBe(1);
  });

  it('answers SlowDown with 503, the S3 error document and Retry-After, without forwarding the request', async () => {
    const p = await start({ faults: { all: { slowDown: { rate: 1, retryAfterSeconds: 2 } } } });
    const err = await via(p).send(new PutObjectCommand({ Bucket: bucket, Key: 'slow/put.txt', Body: 'never stored' })).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
    await expect(store().send(new HeadObjectCommand({ Bucket: bucket, Key: 'slow/put.txt' }))).rejects.toMatchObject({ name: 'NotFound' });

    const reply = await fetch(`${p.endpoint}/${bucket}/big.bin`);
    expect(reply.status).toBe(503);
    expect(reply.headers.get('retry-after')).toBe('2');
    expect(await reply.text()).toMatch(/^<\?xml[^>]*>\s*<Error><Code>SlowDown<\/Code><Message>Please reduce your request rate.<\/Message>/);
    expect(p.stats().faults).toMatchObject({ put: { slowDown: 1 }, get: { slowDown: 1 } });
  });

  it('flips exactly one byte of a GET body at the offset, or the last byte of a shorter body', async () => {
    const p = await start({ faults: { get: { flip: { rate: 1, offset: 1234 } } } });
    const damaged = (await drain(await get(via(p), 'big.bin'))).bytes;
    expect(damaged.length).toBe(body.length);
    const differing = [...damaged.keys()].filter((i) => damaged[i] !== body[i]);
    expect(differing).toEqual([1234]);
    expect(damaged[1234]).toBe(body[1234]! ^ 0xff);

    const short = (await drain(await get(via(p), 'small/03.txt'))).bytes;
    expect(short.subarray(0, -1).toString()).toBe('small 3');
    expect(short.at(-1)).toBe('\n'.charCodeAt(0) ^ 0xff);
    expect(p.stats().faults.get.flip).toBe(2);
    expect(p.requests.map((r) => r.faults)).toEqual([['flip'], ['flip']]);
  });

  it('flips a byte of a request body on the way up, so the store refuses a signed PUT as not the bytes hashed', async () => {
    const p = await start({ faults: { put: { flip: { rate: 1, offset: 0, body: 'request' } } } });
    // Over plain HTTP the SDK signs the payload's SHA-256; MinIO compares it with what arrived.
    await expect(adminS3({ endpoint: p.endpoint, maxAttempts: 1, requestChecksumCalculation: 'WHEN_REQUIRED' })
      .send(new PutObjectCommand({ Bucket: bucket, Key: 'flip/put.txt', Body: 'damaged on the way' })))
      .rejects.toMatchObject({ name: 'XAmzContentSHA256Mismatch' });
    await expect(store().send(new HeadObjectCommand({ Bucket: bucket, Key: 'flip/put.txt' }))).rejects.toMatchObject({ name: 'NotFound' });
    expect(p.stats().faults.put.flip).toBe(1);
  });

  it('stalls a request for the given time before forwarding it', async () => {
    const p = await start({ faults: { get: { stall: { rate: 1, ms: 800 } } } });
    const began = Date.now();
    expect((await drain(await get(via(p), 'small/01.txt'))).bytes.toString()).toBe('small 1\n');
    expect(Date.now() - began).toBeGreaterThanOrEqual(780);
  });

  it('stalls a reply body after the given bytes, then sends the rest', async () => {
    const p = await start({ faults: { get: { stall: { rate: 1, ms: 800, afterBytes: 1000 } } } });
    const { bytes, markedAt } = await drain(await get(via(p), 'big.bin'), 1000);
    const done = Date.now();
    expect(bytes.equals(body)).toBe(true);
    expect(done - markedAt!).toBeGreaterThanOrEqual(780);
  });

  it('stalls a request without a duration until the client gives up, and never forwards it', async () => {
    const p = await start({ faults: { put: { stall: { rate: 1 } } } });
    const began = Date.now();
    await expect(via(p).send(new PutObjectCommand({ Bucket: bucket, Key: 'stall/put.txt', Body: 'held' }), { abortSignal: AbortSignal.timeout(700) }))
      .rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - began).toBeGreaterThanOrEqual(680);
    await sleep(200);
    await expect(store().send(new HeadObjectCommand({ Bucket: bucket, Key: 'stall/put.txt' }))).rejects.toMatchObject({ name: 'NotFound' });
    expect(p.stats().faults.put.stall).toBe(1);
  });

  it('throttles reply bodies to the given bytes per second', async () => {
    const p = await start({ faults: { get: { throttle: { rate: 1, bytesPerSecond: 128 * 1024 } } } });
    const began = Date.now();
    expect((await drain(await get(via(p), 'big.bin'))).bytes.equals(body)).toBe(true);
    const elapsed = Date.now() - began; // 64 KiB at 128 KiB/s: half a second
    expect(elapsed).toBeGreaterThanOrEqual(480); // the throttle's own delay: a lower bound, whatever the machine's load
    p.setFaults({});
    expect((await drain(await get(via(p), 'big.bin'))).bytes.equals(body)).toBe(true);
    expect(p.stats().faults.get.throttle).toBe(1);
  });

  it('hits the same requests for the same seed whatever their order, other ones for another seed, at about the rate', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `small/${String(i).padStart(2, '0')}.txt`);
    /** Five GETs of each key, in `order`, through a proxy of `seed` answering SlowDown to 30%: which (key, nth GET) were hit. */
    async function hits(seed: number, order: string[]): Promise<string[]> {
      const p = await start({ seed, faults: { get: { slowDown: { rate: 0.3 } } } });
      const s3 = via(p);
      const seen = new Map<string, number>();
      const hit: string[] = [];
      for (let round = 0; round < 5; round++) {
        for (const key of order) {
          const nth = seen.get(key) ?? 0;
          seen.set(key, nth + 1);
          const failed = await get(s3, key).then(drain).then(() => false, (e: unknown) => (e as Error).name === 'SlowDown');
          if (failed) hit.push(`${key}#${nth}`);
        }
      }
      expect(p.stats().faults.get.slowDown).toBe(hit.length);
      await p.close();
      proxy = undefined;
      return hit.sort();
    }
    const first = await hits(7, keys);
    expect(await hits(7, [...keys].reverse())).toEqual(first);
    expect(first.length).toBeGreaterThan(200 * 0.2);
    expect(first.length).toBeLessThan(200 * 0.4);
    expect(await hits(8, keys)).not.toEqual(first);
  });

  it('hits one key at most maxPerKey times', async () => {
    const p = await start({ faults: { get: { slowDown: { rate: 1, maxPerKey: 2 } } } });
    const s3 = via(p);
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(await get(s3, 'small/05.txt').then(drain).then((r) => r.bytes.toString(), (e: unknown) => (e as Error).name));
    }
    expect(outcomes).toEqual(['SlowDown', 'SlowDown', 'small 5\n', 'small 5\n']);
    expect(p.stats().faults.get.slowDown).toBe(2);
    expect(p.stats().perKey.get(`${bucket}/small/05.txt`)).toBe(4);
  });

  it('changes its faults while running, and its timeline counts the requests and faults of each window', async () => {
    const p = await start();
    const s3 = via(p);
    const burst = (n: number) => Promise.all(Array.from({ length: n }, (_, i) =>
      get(s3, `small/${String(i).padStart(2, '0')}.txt`).then(drain).then(() => 'ok', (e: unknown) => (e as Error).name)));
    expect(await burst(6)).toEqual(Array(6).fill('ok'));
    await sleep(600);
    p.setFaults({ get: { slowDown: { rate: 1 } } });
    expect(await burst(4)).toEqual(Array(4).fill('SlowDown'));
    p.setFaults({});
    expect(await burst(2)).toEqual(Array(2).fill('ok'));

    const windows = p.timeline({ windowMs: 100 });
    expect(windows.reduce((n, w) => n + w.requests, 0)).toBe(12);
    expect(windows.reduce((n, w) => n + w.faulted, 0)).toBe(4);
    const busy = windows.filter((w) => w.requests > 0);
    const quiet = windows.filter((w, i) => w.requests === 0 && i > windows.indexOf(busy[0]!) && i < windows.indexOf(busy.at(-1)!));
    expect(quiet.length).toBeGreaterThanOrEqual(4); // the 600 ms pause
    expect(windows.every((w, i) => w.at === i * 100)).toBe(true);
    expect(p.timeline({ windowMs: 100, kind: 'list' }).every((w) => w.requests === 0)).toBe(true);

    p.clearStats();
    expect(p.stats()).toMatchObject({ requests: { total: 0 }, faultsTotal: 0 });
    expect(p.requests).toEqual([]);
  });
});
