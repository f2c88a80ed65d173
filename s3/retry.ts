/**
 * Per-request retries of transient S3 failures inside an activity, so that a few percent of
 * resets or SlowDown replies cost a retry of one object instead of a failed page. Exponential
 * backoff with full jitter (AWS's recommended form: a random wait up to min(cap, base x 2^n)),
 * never shorter than a Retry-After the store asked for. Only errors classified as transient
 * where they were born (S3OperationError.kind) are retried; the rest are thrown at once.
 */
import { S3OperationError } from './errors';

/** Retries left for one object, shared by the layers that retry parts of it (see resumable-body.ts). */
export interface RetryBudget {
  remaining: number;
}

/** How one call is retried. */
export interface RetryOptions {
  /** Retries after the first attempt (the source's maxErrorRetries). */
  retries: number;
  /** Spend retries from here instead (initially `retries`), shared with resumes inside an attempt. */
  budget?: RetryBudget;
  /** The first backoff's upper bound; doubles with each retry up to `capMs`. */
  baseMs?: number;
  capMs?: number;
  /** Stops waiting and retrying: the caller gave up (cancellation, a sibling's failure). */
  signal?: AbortSignal;
  /** Told of each retry before its wait: the error and the retry's number (1-based). */
  onRetry?: (err: S3OperationError, retry: number, waitMs: number) => void;
  /** The random source, in [0, 1); tests pass a fixed one. */
  random?: () => number;
}

/** The wait before retry `retry` (1-based): full jitter below min(cap, base x 2^(retry-1)), at least `floorMs`. */
export function backoffMs(retry: number, options: Pick<RetryOptions, 'baseMs' | 'capMs' | 'random'> = {}, floorMs = 0): number {
  const { baseMs = 200, capMs = 20_000, random = Math.random } = options;
  const ceiling = Math.min(capMs, baseMs * 2 ** (retry - 1));
  return Math.max(floorMs, Math.floor(random() * ceiling));
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const done = () => { signal?.removeEventListener('abort', abort); resolve(); };
    const timer = setTimeout(done, ms);
    const abort = () => { clearTimeout(timer); reject(signal!.reason as Error); };
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, throws a non-transient error, or has failed `retries + 1`
 * times (then the last error is thrown, its message saying how many attempts were made).
 */
export async function retryTransient<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const budget = options.budget ?? { remaining: options.retries };
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof S3OperationError) || err.kind !== 'transient' || options.signal?.aborted) throw err;
      if (budget.remaining <= 0) {
        throw new S3OperationError('transient', err.code, `${err.message} Gave up after ${n} attempts of this object.`, err.status, err.retryAfterMs);
      }
      budget.remaining--;
      const wait = backoffMs(n, options, err.retryAfterMs);
      options.onRetry?.(err, n, wait);
      await sleep(wait, options.signal);
    }
  }
}
