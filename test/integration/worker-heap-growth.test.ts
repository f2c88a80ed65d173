/**
 * Measures what the launcher's V8 flags (worker/heap.ts) do to fresh node processes churning a
 * worker-like heap. Needs no server, but takes ~20 s of two busy cores, so it runs with the
 * integration tests rather than the unit tests.
 */
import { execFileSync } from 'node:child_process';
import { LAUNCHER_HEAP_FLAGS } from '../../worker/heap';

/** Node flags bin/s3-connector.js starts the worker with. */
const LAUNCHER = [`--heap-growing-percent=${LAUNCHER_HEAP_FLAGS.heapGrowingPercent}`, `--initial-old-space-size=${LAUNCHER_HEAP_FLAGS.initialOldSpaceMiB}`,
  `--max-semi-space-size=${LAUNCHER_HEAP_FLAGS.maxSemiSpaceMiB}`];

/**
 * Peak V8 heap (MiB) and full collections of a fresh node process started with `flags`, that
 * churns a rolling window of `window` × ~100 KB of live objects, each replaced after surviving a
 * few collections: the shape of a worker's listing pages and index lines (300: ~30 MB live, an
 * incremental run; 100: ~10 MB, a streaming job).
 */
function churn(flags: string[], window: number, rounds = 6000): { peakMiB: number; fullCollections: number } {
  const script = `
    const { PerformanceObserver, constants } = require('node:perf_hooks');
    const v8 = require('node:v8');
    let full = 0;
    new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full++; }).observe({ entryTypes: ['gc'] });
    const window = new Array(${window}).fill(null);
    let peak = 0;
    for (let i = 0; i < ${rounds}; i++) {
      window[i % window.length] = Array.from({ length: 1000 }, (_, j) => ({ i, j, s: 'k/' + i + '/' + j }));
      if (i % 50 === 0) peak = Math.max(peak, v8.getHeapStatistics().total_heap_size);
    }
    setTimeout(() => process.stdout.write(JSON.stringify({ peakMiB: Math.round(peak / 2 ** 20), fullCollections: full })), 50);`;
  return JSON.parse(execFileSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' }));
}

describe('worker heap growth under the launcher\'s flags', () => {
  it('holds a large live heap to well under what the adaptive growth of V8 lets it reach', () => {
    const adaptive = churn([], 300);
    const launcher = churn(LAUNCHER, 300);
    // Measured here: ~170 MiB adaptive, ~90 MiB with the launcher's flags.
    expect(launcher.peakMiB).toBeLessThan(adaptive.peakMiB * 0.75);
    expect(launcher.peakMiB).toBeGreaterThan(30); // the live window itself is still there
  }, 60_000);

  it('leaves a small live heap collected about as often as V8 would, where the growth cap alone collects it far more', () => {
    // Under --predictable (no concurrent marking, no time-based collections), so that the load
    // of other tests cannot sway the counts. All three with the launcher's young generation, so
    // that only the old generation's flags differ: with V8's own (Node 24: 2 × 16 MiB and more)
    // this churn never leaves the young generation and every variant counts one collection.
    // Measured on Node 24.22: 20 full collections adaptive, 56 with the cap alone, 22-23 with the
    // floor too, on every run.
    const young = `--max-semi-space-size=${LAUNCHER_HEAP_FLAGS.maxSemiSpaceMiB}`;
    const adaptive = churn(['--predictable', young], 100, 20_000);
    const capOnly = churn(['--predictable', young, '--heap-growing-percent=50'], 100, 20_000);
    const launcher = churn(['--predictable', ...LAUNCHER], 100, 20_000);
    expect(launcher.fullCollections).toBeLessThan(capOnly.fullCollections * 0.6);
    expect(launcher.fullCollections).toBeLessThanOrEqual(Math.ceil(adaptive.fullCollections * 1.25));
  }, 90_000);

  it('holds the young generation to 2 × 4 MiB, where V8 lets a busy process fill 2 × 16', () => {
    // Measured here: 8 MiB with the launcher's flags, 32 MiB without.
    const youngMiB = (flags: string[]) => Number(execFileSync(process.execPath, [...flags, '-e', `
      const v8 = require('node:v8');
      let peak = 0;
      for (let i = 0, keep = []; i < 3000; i++) {
        keep = Array.from({ length: 2000 }, (_, j) => ({ i, j, s: 'k/' + i + '/' + j }));
        peak = Math.max(peak, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
      }
      process.stdout.write(String(peak / 2 ** 20));`], { encoding: 'utf8' }));
    expect(youngMiB(LAUNCHER)).toBeLessThanOrEqual(8);
    expect(youngMiB([])).toBeGreaterThan(16);
  }, 30_000);
});
