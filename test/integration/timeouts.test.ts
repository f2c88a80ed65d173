import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createSourceClient, type SourceClient } from '../../s3/client';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { startHangingListener, startSilentServer, startStallingBodyServer } from '../harness/stalling-servers';

/** Generous bound for "fails instead of hanging": far above the timeouts used, far below a hang. */
const DOES_NOT_HANG_MS = 15_000;

function clientAt(endpoint: string, options: Record<string, unknown>): SourceClient {
  const source = config({ sources: { x: minioSource('stalled', { endpoint, maxErrorRetries: 0, ...options }) } }).sources.x!;
  return createSourceClient('x', source);
}

/** Runs `fn` and returns how it failed and after how long; fails the test if it succeeds. */
async function failure(fn: () => Promise<unknown>): Promise<{ error: Error; ms: number }> {
  const start = Date.now();
  try {
    await fn();
  } catch (error) {
    return { error: error as Error, ms: Date.now() - start };
  }
  throw new Error('expected a failure, but the call succeeded');
}

describe('timeouts', () => {
  beforeAll(() => Object.assign(process.env, rootKeyEnv()));

  it('fails with a socket timeout when the server accepts the connection but never answers', async () => {
    const server = await startSilentServer();
    const client = clientAt(server.endpoint, { socketTimeoutMs: 1500 });
    try {
      const { error, ms } = await failure(() => client.s3.send(new ListObjectsV2Command({ Bucket: 'stalled' })));
      expect(error.message).toMatch(/socket timed out after 1500 ms of inactivity/);
      expect(error.name).toBe('TimeoutError');
      expect(ms).toBeLessThan(DOES_NOT_HANG_MS);
      expect(server.accepted()).toBe(1);
    } finally {
      client.s3.destroy();
      await server.close();
    }
  });

  it('fails the body read with a socket timeout when a response body stalls midway', async () => {
    const server = await startStallingBodyServer(1_000_000, 1000);
    const client = clientAt(server.endpoint, { socketTimeoutMs: 1500 });
    try {
      const got = await client.s3.send(new GetObjectCommand({ Bucket: 'stalled', Key: 'big.bin' }));
      expect(got.ContentLength).toBe(1_000_000);
      const received: number[] = [];
      const { error, ms } = await failure(async () => {
        for await (const chunk of got.Body as AsyncIterable<Uint8Array>) received.push(chunk.length);
      });
      expect(received.reduce((a, b) => a + b, 0)).toBe(1000);
      expect(error.message).toMatch(/socket timed out after 1500 ms of inactivity/);
      expect(error.name).toBe('TimeoutError');
      expect(ms).toBeLessThan(DOES_NOT_HANG_MS);
    } finally {
      client.s3.destroy();
      await server.close();
    }
  });

  it('fails with a connection timeout when the TCP connect never completes', async () => {
    const listener = await startHangingListener();
    // A long socket timeout, so only the connection timeout can end the request.
    const client = clientAt(listener.endpoint, { connectionTimeoutMs: 1000, socketTimeoutMs: 600_000 });
    try {
      const { error, ms } = await failure(() => client.s3.send(new ListObjectsV2Command({ Bucket: 'stalled' })));
      expect(error.message).toMatch(/did not establish a connection with the server within the configured timeout of 1000 ms/);
      expect(error.name).toBe('TimeoutError');
      expect(ms).toBeLessThan(DOES_NOT_HANG_MS);
    } finally {
      client.s3.destroy();
      await listener.close();
    }
  });
});

describe('timeouts on the lean GetObject path syncs read objects through', () => {
  beforeAll(() => Object.assign(process.env, rootKeyEnv()));

  it('fails as transient after the connection timeout when the TCP connect never completes', async () => {
    const listener = await startHangingListener();
    const client = clientAt(listener.endpoint, { connectionTimeoutMs: 1000, socketTimeoutMs: 600_000 });
    try {
      const { error, ms } = await failure(() => client.read('k'));
      expect(error).toMatchObject({ kind: 'transient', code: 'TimeoutError' });
      expect(error.message).toMatch(/did not establish a connection with the server within the configured timeout of 1000 ms/);
      expect(ms).toBeLessThan(DOES_NOT_HANG_MS);
    } finally {
      client.s3.destroy();
      await listener.close();
    }
  });

  it('fails as transient after the socket timeout when the server never answers', async () => {
    const server = await startSilentServer();
    const client = clientAt(server.endpoint, { socketTimeoutMs: 1500 });
    try {
      const { error, ms } = await failure(() => client.read('k'));
      expect(error).toMatchObject({ kind: 'transient', code: 'TimeoutError' });
      expect(error.message).toMatch(/socket timed out after 1500 ms of inactivity/);
      expect(ms).toBeLessThan(DOES_NOT_HANG_MS);
    } finally {
      client.s3.destroy();
      await server.close();
    }
  });

  it('fails the body read after the socket timeout when a response body stalls midway', async () => {
    const server = await startStallingBodyServer(1_000_000, 1000);
    const client = clientAt(server.endpoint, { socketTimeoutMs: 1500 });
    try {
      const got = await client.read('big.bin');
      expect(got.headers['content-length']).toBe('1000000');
      let received = 0;
      const { error, ms } = await failure(async () => {
        for await (const chunk of got.body) received += (chunk as Buffer).length;
      });
      expect(received).toBe(1000);
      expect(error.message).toMatch(/socket timed out after 1500 ms of inactivity/);
      expect(ms).toBeLessThan(DOES_NOT_HANG_MS);
    } finally {
      client.s3.destroy();
      await server.close();
    }
  });
});
