import { S3OperationError, retryAfterMs } from '../../s3/errors';
import { backoffMs, retryTransient } from '../../s3/retry';

const transient = (code = 'SlowDown', retryAfter?: number) => new S3OperationError('transient', code, `GetObject s3://b/k: ${code}`, 503, retryAfter);

describe('per-request retries', () => {
  it('retries a transient failure until it succeeds, telling each retry', async () => {
    const seen: number[] = [];
    let calls = 0;
    const result = await retryTransient(async () => {
      calls++;
      if (calls < 3) throw transient();
      return 'ok';
    }, { retries: 3, baseMs: 1, onRetry: (_err, n) => seen.push(n) });
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(seen).toEqual([1, 2]);
  });

  it('gives up after retries + 1 attempts with the last error, saying how many attempts were made', async () => {
    let calls = 0;
    const failing = retryTransient(async () => { calls++; throw transient('InternalError'); }, { retries: 2, baseMs: 1 });
    await expect(failing).rejects.toThrow(/InternalError.*Gave up after 3 attempts/);
    expect(calls).toBe(3);
  });

  it('throws permanent and gone errors at once, without a retry', async () => {
    for (const kind of ['permanent', 'gone'] as const) {
      let calls = 0;
      await expect(retryTransient(async () => { calls++; throw new S3OperationError(kind, 'AccessDenied', 'denied'); }, { retries: 5, baseMs: 1 }))
        .rejects.toThrow('denied');
      expect(calls).toBe(1);
    }
  });

  it('stops waiting when its signal aborts', async () => {
    const stop = new AbortController();
    const run = retryTransient(async () => { throw transient(); }, { retries: 5, baseMs: 60_000, random: () => 0.99, signal: stop.signal });
    setTimeout(() => stop.abort(new Error('sibling failed')), 10);
    await expect(run).rejects.toThrow('sibling failed');
  });

  it('waits a random time below the doubling ceiling, and at least what Retry-After asked', () => {
    expect(backoffMs(1, { baseMs: 100, random: () => 0.5 })).toBe(50);
    expect(backoffMs(4, { baseMs: 100, random: () => 0.5 })).toBe(400);
    expect(backoffMs(20, { baseMs: 100, capMs: 1000, random: () => 0.999 })).toBe(999);
    expect(backoffMs(1, { baseMs: 100, random: () => 0 }, 3000)).toBe(3000);
  });

  it('reads Retry-After in seconds or as an HTTP date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('Wed, 02 Dec 2026 05:00:10 GMT', Date.parse('Wed, 02 Dec 2026 05:00:00 GMT'))).toBe(10_000);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
