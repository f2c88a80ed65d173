import { AdaptiveConcurrency, ConcurrencyRegistry } from '../../s3/adaptive-concurrency';

/** A task that stays running until released, recording the most that ran at once. */
function gate(limiter: AdaptiveConcurrency, count: number) {
  let running = 0;
  let peak = 0;
  const releases: Array<() => void> = [];
  const done = Promise.all(Array.from({ length: count }, () => limiter.run(async () => {
    running++;
    peak = Math.max(peak, running);
    await new Promise<void>((release) => releases.push(release));
    running--;
  })));
  return { peak: () => peak, running: () => running, releaseOne: () => releases.shift()?.(), done };
}

const tick = () => new Promise((ok) => setImmediate(ok));

describe('adaptive concurrency', () => {
  it('runs at most `limit` tasks at once and wakes one waiter per finished task', async () => {
    const limiter = new AdaptiveConcurrency(3);
    const g = gate(limiter, 7);
    await tick();
    expect(g.running()).toBe(3);
    g.releaseOne();
    await tick();
    expect(g.running()).toBe(3);
    for (let i = 0; i < 7; i++) { g.releaseOne(); await tick(); }
    await g.done;
    expect(g.peak()).toBe(3);
  });

  it('halves the limit on a throttling reply, once per burst, and not below one', () => {
    let now = 0;
    const limiter = new AdaptiveConcurrency(16, () => now);
    limiter.throttled();
    limiter.throttled(); // same burst: replies to requests sent before the first decrease
    expect(limiter.state).toEqual({ limit: 8, max: 16, decreases: 1 });
    for (let i = 0; i < 10; i++) { now += 1000; limiter.throttled(); }
    expect(limiter.state.limit).toBe(1);
  });

  it('raises the limit by one after `limit` successes in a row, back up to the maximum', () => {
    let now = 0;
    const limiter = new AdaptiveConcurrency(4, () => now);
    limiter.throttled();
    now += 1000;
    limiter.throttled();
    expect(limiter.state.limit).toBe(1);
    limiter.succeeded();
    expect(limiter.state.limit).toBe(2);
    limiter.succeeded();
    expect(limiter.state.limit).toBe(2);
    limiter.succeeded();
    expect(limiter.state.limit).toBe(3);
    for (let i = 0; i < 20; i++) limiter.succeeded();
    expect(limiter.state.limit).toBe(4);
  });

  it('lets fewer tasks start after a decrease, and more after recovery', async () => {
    const now = 0;
    const limiter = new AdaptiveConcurrency(4, () => now);
    limiter.throttled();
    const g = gate(limiter, 6);
    await tick();
    expect(g.running()).toBe(2);
    limiter.succeeded();
    limiter.succeeded();
    await tick();
    expect(g.running()).toBe(3);
    for (let i = 0; i < 6; i++) { g.releaseOne(); await tick(); }
    await g.done;
  });

  it('keeps one limiter per key for the life of the registry, so a job\'s next page starts at its last rate', () => {
    const registry = new ConcurrencyRegistry();
    registry.get('job-a', 8).throttled();
    expect(registry.get('job-a', 8).state.limit).toBe(4);
    expect(registry.get('job-b', 8).state.limit).toBe(8);
    expect(registry.get('job-a', 16).state).toEqual({ limit: 16, max: 16, decreases: 0 });
  });
});
