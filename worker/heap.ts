/**
 * The worker's memory settings: V8's heap growth and young generation, and glibc's malloc arenas, which
 * bin/s3-connector.js sets when it starts node, and `worker --heap-growing-percent` overrides.
 *
 * V8 sizes the old generation by how cheap collections look: while they take little time it
 * lets the heap grow to up to 4× what survives. A worker's live heap is ~40 MB on an incremental
 * run over 100,000 objects, so it ran with 120-150 MB waiting to be collected (peak RSS
 * 330-360 MiB against the 256 MB target). Held to 1.5× alone (--heap-growing-percent=50), that
 * run peaked at 242 MiB, but streaming jobs, whose live heap is ~20 MB, then collected at ~30 MB
 * and far more often: the full benchmark with it took twice the CPU on large imports and lost
 * every export target (bench/results/experiments/heap-growing-50.md). So the launcher also gives
 * V8 a floor, --initial-old-space-size=80: V8 skips full collections below 80 MB of old
 * generation when the embedder configures that size, and holds 1.5× its live data above it.
 *
 * --max-semi-space-size=4 holds the young generation to 2 × 4 MiB instead of V8's 2 × 16: a busy
 * worker fills all of it, so it was ~24 MiB of every workload's peak RSS. Interleaved on one
 * MinIO, 3 pairs each (bench/ab.ts, 2026-11-25 13:40): peak RSS 221-226 -> 202-209 MiB (small
 * import), 221-229 -> 186-189 MiB (200 × 8 MiB export), 233-236 -> 203-205 MiB (incremental,
 * unchanged); CPU within the machine's drift (small import median 16.7 against 16.3 s, export
 * 2.9 against 2.8 s, unchanged incremental run 4.0 against 4.7 s).
 */
import { setFlagsFromString } from 'node:v8';

/** What bin/s3-connector.js starts node with (kept in step with it). */
export const LAUNCHER_HEAP_FLAGS = { heapGrowingPercent: 50, initialOldSpaceMiB: 80, maxSemiSpaceMiB: 4 } as const;

/**
 * Applies `percent` (0: V8's own adaptive growth) to this process, over the launcher's. V8 reads
 * the flag whenever it recomputes its heap limits, so setting it at startup, before the worker
 * is busy, is enough; it is process-wide, so it covers the workflow thread's isolate as well.
 */
export function limitHeapGrowth(percent: number): void {
  if (!Number.isInteger(percent) || percent < 0 || percent > 1000) {
    throw new Error(`heap growing percent ${percent} is not a whole number from 0 to 1000. Fix: use ${LAUNCHER_HEAP_FLAGS.heapGrowingPercent} (the launcher's), or 0 for V8's adaptive growth.`);
  }
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** The memory settings this process runs with, for the worker's startup log. */
export interface MemorySettings {
  /** glibc malloc arenas (MALLOC_ARENA_MAX), or "default" (8 per core). */
  mallocArenaMax: string;
  /** V8 heap growth in percent over live data (0: V8's adaptive growth). */
  heapGrowingPercent: number;
  /** Old generation size below which V8 skips full collections, MiB (0: none). */
  initialOldSpaceMiB: number;
  /** Largest semi-space of the young generation, MiB (0: V8's default, 16 on 64-bit). */
  maxSemiSpaceMiB: number;
}

/** The last value of a node flag in `argv` (`--name=value`), or undefined. Pure. */
function flagValue(argv: readonly string[], name: string): number | undefined {
  const pattern = new RegExp(`^--${name.replace(/-/g, '[-_]')}=(\\d+)$`);
  const last = argv.map((a) => pattern.exec(a)?.[1]).filter((v) => v !== undefined).at(-1);
  return last === undefined ? undefined : Number(last);
}

/**
 * Reads the settings from node's flags, the environment and the worker's own override.
 * Pure over its arguments.
 */
export function memorySettings(execArgv: readonly string[], env: NodeJS.ProcessEnv, override?: number): MemorySettings {
  return {
    mallocArenaMax: env.MALLOC_ARENA_MAX ?? 'default',
    heapGrowingPercent: override ?? flagValue(execArgv, 'heap-growing-percent') ?? 0,
    initialOldSpaceMiB: flagValue(execArgv, 'initial-old-space-size') ?? 0,
    maxSemiSpaceMiB: flagValue(execArgv, 'max-semi-space-size') ?? 0,
  };
}
