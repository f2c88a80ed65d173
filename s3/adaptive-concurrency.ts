/**
 * How many requests a job keeps in flight against a store that may ask for fewer: additive
 * increase, multiplicative decrease (AIMD, as TCP and the AWS SDK's adaptive retry mode do). A
 * throttling reply (503 SlowDown) halves the limit, at most once per DECREASE_SPACING_MS so that
 * one burst of replies to requests already in flight counts once; each `limit` successes in a row
 * raise it by one, back up to the configured maximum once the store stops objecting.
 */

/** Halve at most this often: the replies to requests sent before a decrease say nothing new. */
const DECREASE_SPACING_MS = 1000;

/** A snapshot, for heartbeats and progress. */
export interface ConcurrencyState {
  /** Requests allowed in flight now. */
  limit: number;
  /** The configured maximum (the source's maxConnections). */
  max: number;
  /** Times the limit was lowered since this job's first page on this worker. */
  decreases: number;
}

/** An AIMD-limited queue of tasks. */
export class AdaptiveConcurrency {
  private active = 0;
  private successes = 0;
  private decreases = 0;
  private lastDecrease = -Infinity;
  private readonly waiting: Array<() => void> = [];
  private current: number;

  constructor(private readonly max: number, private readonly now: () => number = Date.now) {
    this.current = max;
  }

  /** Runs `task` when fewer than `limit` tasks are running. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    // A waiter's slot is taken for it by next(), so that one release wakes one waiter.
    if (this.active >= this.current) await new Promise<void>((ready) => this.waiting.push(ready));
    else this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.next();
    }
  }

  /** A request succeeded: after `limit` in a row, allow one more in flight. */
  succeeded(): void {
    if (this.current >= this.max) return;
    if (++this.successes >= this.current) {
      this.successes = 0;
      this.current++;
      this.next();
    }
  }

  /** The store asked for fewer requests: halve the limit (not below 1). */
  throttled(): void {
    this.successes = 0;
    const now = this.now();
    if (now - this.lastDecrease < DECREASE_SPACING_MS) return;
    this.lastDecrease = now;
    this.current = Math.max(1, Math.floor(this.current / 2));
    this.decreases++;
  }

  /** The limit now, the maximum, and how often it was lowered. */
  get state(): ConcurrencyState {
    return { limit: this.current, max: this.max, decreases: this.decreases };
  }

  private next(): void {
    while (this.active < this.current && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!();
    }
  }
}

/**
 * One AdaptiveConcurrency per job (or other key) for the life of a worker, so that the next
 * page of a job starts at the rate the store accepted for the last one.
 */
export class ConcurrencyRegistry {
  private readonly limits = new Map<string, AdaptiveConcurrency>();

  /** The limiter of `key`, made with `max` on first use (a changed `max` makes a new one). */
  get(key: string, max: number): AdaptiveConcurrency {
    let limiter = this.limits.get(key);
    if (!limiter || limiter.state.max !== max) {
      limiter = new AdaptiveConcurrency(max);
      this.limits.set(key, limiter);
    }
    return limiter;
  }
}
