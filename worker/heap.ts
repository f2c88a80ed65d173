/**
 * The worker's memory settings: V8's heap growth and young generation, and glibc's malloc arenas, which
 * bin/s3-connector.js sets when it starts node, and `worker --heap-growing-percent` overrides.
 *
 * V8 sizes the old generation by how cheap collections look: while they take little time it
 * lets the heap grow to up to 4× what survives, which would put a worker's peak RSS past the
 * 256 MB target on large incremental runs. Held to 1.5× (--heap-growing-percent=50) alone,
 * streaming jobs, whose live heap is small, would be collected far more often; so the launcher
 * also gives V8 a floor, --initial-old-space-size=80: V8 skips full collections below 80 MB of
 * old generation when the embedder configures that size, and holds 1.5× its live data above it.
 *
 * --max-semi-space-size=4 holds the young generation to 2 × 4 MiB instead of V8's 2 × 16, which
 * a busy worker fills. The measurements behind both are in bench/README.md ("Figures behind code
 * choices").
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
