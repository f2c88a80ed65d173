/**
 * How far V8 lets the worker's heap grow past its live data before a full collection: a memory
 * versus CPU trade that `s3-connector worker --heap-growing-percent` exposes.
 *
 * V8 sizes the old generation by how cheap collections look: while they take little time it
 * lets the heap grow to up to 4× what survives. A worker's live heap is small (~40 MB), so on
 * an incremental run over 100,000 objects it ran with 150-200 MB of heap waiting to be
 * collected. Held to 50% (bench/ab.ts, interleaved on one machine):
 * - incremental initial run: 337 -> 242 MiB peak RSS, worker CPU 57.4 -> 59.2 s;
 * - export of 200 × 8 MiB: no RSS gain (260 -> 256 MiB), worker CPU 3.2 -> 5.8 s, wall +30%;
 * - the full benchmark lost every export target and large imports took twice the CPU
 *   (bench/results/experiments/heap-growing-50.md).
 * Streaming allocates many short-lived buffers and the capped heap collects far more often, so
 * the default stays V8's own; 50 suits workers that only run incremental syncs of many keys.
 */
import { setFlagsFromString } from 'node:v8';

/** Default: 0, V8's own adaptive growth (see above for what 50 buys and costs). */
export const DEFAULT_HEAP_GROWING_PERCENT = 0;

/**
 * Applies `percent` (0: V8's own adaptive growth) to this process. V8 reads the flag whenever it
 * recomputes its heap limits, so setting it at startup, before the worker is busy, is enough;
 * it is process-wide, so it covers the workflow thread's isolate as well.
 */
export function limitHeapGrowth(percent: number = DEFAULT_HEAP_GROWING_PERCENT): void {
  if (!Number.isInteger(percent) || percent < 0 || percent > 1000) {
    throw new Error(`heap growing percent ${percent} is not a whole number from 0 to 1000. Fix: use 0 (the default, V8's adaptive growth) or e.g. 50 to hold the heap to 1.5× its live data.`);
  }
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
