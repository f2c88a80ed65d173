/**
 * How far V8 lets the worker's heap grow past its live data before a full collection.
 *
 * V8 sizes the old generation by how cheap collections look: while they take little time it
 * lets the heap grow to up to 4× what survives. A worker's live heap is small (~40 MB) and its
 * garbage is mostly listing pages, index lines and per-object request state, so it ran with
 * 150-200 MB of heap waiting to be collected: 337 MiB peak RSS on an incremental run over
 * 100,000 objects, against 242 MiB with growth held to 50% (bench/ab.ts, interleaved on one
 * machine: worker CPU 57.4 s vs 59.2 s on that run).
 */
import { setFlagsFromString } from 'node:v8';

/** Default growth: each full collection lets the heap reach 1.5× what survived it. */
export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/**
 * Applies `percent` (0: V8's own adaptive growth) to this process. V8 reads the flag whenever it
 * recomputes its heap limits, so setting it at startup, before the worker is busy, is enough;
 * it is process-wide, so it covers the workflow thread's isolate as well.
 */
export function limitHeapGrowth(percent: number = DEFAULT_HEAP_GROWING_PERCENT): void {
  if (!Number.isInteger(percent) || percent < 0 || percent > 1000) {
    throw new Error(`heap growing percent ${percent} is not a whole number from 0 to 1000. Fix: use 50 (the default), or 0 for V8's own adaptive growth.`);
  }
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
