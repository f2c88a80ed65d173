/**
 * The skeleton every page activity shares (a sync's copy, an export's upload): what earlier
 * attempts finished is read back from a progress file and skipped; progress is saved at most
 * every PROGRESS_INTERVAL_MS and when the attempt fails, so a retried attempt redoes at most
 * that much; heartbeats carry counts while bytes move and on a timer while none do, so only a
 * dead worker misses them; and a cancellation is reported as one (the CancelledFailure), not as
 * whatever the aborted request threw.
 *
 * Objects of a page run through `each`: a transient failure retries that object alone (backoff
 * with jitter, up to the source's maxErrorRetries), throttling replies lower the job's
 * concurrency on this worker, and an object that fails for good stops the others at once.
 */
import type { Context } from '@temporalio/activity';
import type { StoreBackend } from '../datasets/backend';
import { fromJsonLines, toJsonLines } from '../datasets/jsonl';
import type { AdaptiveConcurrency, ConcurrencyState } from '../s3/adaptive-concurrency';
import { retryTransient, type RetryBudget } from '../s3/retry';
import { activityContext } from './activity-context';

/** Save progress at most this often: a resumed attempt redoes at most this much work. */
export const PROGRESS_INTERVAL_MS = 2000;

/** Heartbeat at least this often while nothing finishes; the activities' heartbeat timeout is 20 s. */
const KEEPALIVE_MS = 3000;

/**
 * Heartbeats with a payload at most this often from per-chunk callers: building one per network
 * chunk, or per small object by the thousand, costs more CPU than the copy.
 */
const BEAT_THROTTLE_MS = 500;

/** What a page activity's body works with. */
export interface PageRun<Line> {
  /** Lines finished by this and earlier attempts, by key. */
  readonly done: Map<string, Line>;
  /** The activity context inside Temporal; undefined in direct calls. */
  readonly ctx: Context | undefined;
  /** Aborted when Temporal cancels the activity. */
  readonly signal: AbortSignal | undefined;
  /** Counts bytes moved (shown in heartbeats) and heartbeats, throttled. */
  addBytes(n: number): void;
  /** Heartbeats, throttled: for callers that fire per chunk or per small object. */
  beat(): void;
  /** Heartbeats now: for details a resumed attempt must see (an upload's finished parts). */
  beatNow(): void;
  /** Saves the progress file: when forced, or when the last save is PROGRESS_INTERVAL_MS old. */
  save(force: boolean): Promise<void>;
  /**
   * Runs `work` for every item, at most its limiter's limit at once (the job's adaptive
   * concurrency, unless `limiterOf` picks another for an item), retrying each item's transient
   * failures. The first item to fail for good aborts the others' signal; `each` rejects with
   * that failure once all have stopped.
   */
  each<T>(items: readonly T[], work: ItemWork<T>, limiterOf?: (item: T) => AdaptiveConcurrency): Promise<void>;
  /** Retries of single objects so far in this attempt. */
  readonly retries: number;
}

/**
 * The work for one item of a page: `signal` aborts when the page gives up or is cancelled;
 * `budget` holds the item's retries left, which work that resumes inside an attempt (a reset
 * GET's rest asked for again) spends too.
 */
export type ItemWork<T> = (item: T, signal: AbortSignal, budget: RetryBudget) => Promise<void>;

/** Options of runPage. */
export interface PageOptions<Line> {
  store: StoreBackend;
  /** The page's progress file (JSON lines of finished work). */
  progressPath: string;
  page: number;
  /** The key of a finished line, unique in the page. */
  keyOf: (line: Line) => string;
  /** More heartbeat details, besides the page, count of finished lines, bytes, retries and concurrency. */
  details?: () => object;
  /** The job's concurrency on this worker (the source's maxConnections, lowered when throttled). */
  concurrency: AdaptiveConcurrency;
  /** Retries of one object before the page fails (the source's maxErrorRetries). */
  retries: number;
}

/**
 * What a page activity reports besides its own counts: how hard it had to try. Optional: a
 * worker of an earlier version reports neither.
 */
export interface PageEffort {
  /** Retries of single objects in the attempt that finished the page. */
  retries?: number;
  /** The job's concurrency on this worker when the page ended. */
  concurrency?: ConcurrencyState;
}

/** Runs `body` as a page activity (see above) and saves its progress a last time when it ends well. */
export async function runPage<Line, R>(options: PageOptions<Line>, body: (run: PageRun<Line>) => Promise<R>): Promise<R> {
  const { store, progressPath, page } = options;
  const previous = await store.read(progressPath);
  const done = new Map((previous ? fromJsonLines<Line>(previous) : []).map((line) => [options.keyOf(line), line]));
  const ctx = activityContext();
  let bytes = 0;
  let retries = 0;
  const beatNow = () => ctx?.heartbeat({ page, done: done.size, bytes, retries, concurrency: options.concurrency.state, ...options.details?.() });
  let lastBeat = 0;
  const beat = () => {
    const now = Date.now();
    if (now - lastBeat < BEAT_THROTTLE_MS) return;
    lastBeat = now;
    beatNow();
  };
  let lastSave = Date.now();
  let saving: Promise<void> | undefined;
  const save = async (force: boolean) => {
    if (!force && Date.now() - lastSave < PROGRESS_INTERVAL_MS) return;
    lastSave = Date.now();
    await saving; // writes never overlap
    saving = store.write(progressPath, toJsonLines([...done.values()]));
    await saving;
  };
  const each = async <T>(items: readonly T[], work: ItemWork<T>, limiterOf = (_item: T) => options.concurrency) => {
    const stop = new AbortController();
    const signal = ctx ? AbortSignal.any([stop.signal, ctx.cancellationSignal]) : stop.signal;
    let failure: { error: unknown } | undefined;
    await Promise.allSettled(items.map((item) => limiterOf(item).run(async () => {
      if (signal.aborted) return;
      const budget = { remaining: options.retries };
      try {
        await retryTransient(() => work(item, signal, budget), {
          retries: options.retries, budget, signal,
          onRetry: (err) => {
            if (err.throttled) options.concurrency.throttled();
            beat();
          },
        });
        options.concurrency.succeeded();
      } catch (error) {
        if (!failure && !signal.aborted) {
          failure = { error };
          stop.abort(error);
        }
      } finally {
        // Whole retries and resumes inside an attempt alike.
        retries += options.retries - budget.remaining;
      }
    })));
    if (failure) throw failure.error;
    ctx?.cancellationSignal.throwIfAborted();
  };
  const run: PageRun<Line> = {
    done, ctx, signal: ctx?.cancellationSignal, beat, beatNow, save, each,
    addBytes: (n) => { bytes += n; beat(); },
    get retries() { return retries; },
  };
  const timer = setInterval(beatNow, KEEPALIVE_MS);
  let result: R;
  try {
    result = await body(run);
  } catch (err) {
    // What finished is kept for the next attempt, whatever stopped this one.
    await save(true).catch(() => undefined);
    if (ctx?.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
    throw err;
  } finally {
    clearInterval(timer);
  }
  await save(true);
  return result;
}
