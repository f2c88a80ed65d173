/**
 * MinIO's warp as the upper bound: `warp get` and `warp put` against the same server, with the
 * workload's object size and concurrency (at most one stream per object of the workload, see
 * bench/README.md), for a short fixed duration. The figure is warp's own "Average" line, or —
 * when warp declines to analyse a short run ("too few samples") — bytes and operations over the
 * span of its recorded operations, from its benchmark data file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Target } from './generate';
import { runTimed } from './measure';

/** One warp measurement. */
export interface WarpResult {
  op: 'get' | 'put';
  objectSize: number;
  concurrency: number;
  seconds: number;
  bytesPerSecond: number;
  objectsPerSecond: number;
  /** Where the figure comes from. */
  source: 'warp average' | 'benchmark data';
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** Parses warp's "* Average: 6.52 MiB/s, 1669.18 obj/s" line for `op`. */
export function parseWarpAverage(output: string, op: 'get' | 'put'): { bytesPerSecond: number; objectsPerSecond: number } | undefined {
  const block = new RegExp(`Operation: ${op.toUpperCase()}[^\\n]*\\n\\* Average: ([\\d.]+) (B|KiB|MiB|GiB)/s, ([\\d.]+) obj/s`).exec(output);
  if (!block) return undefined;
  return { bytesPerSecond: Number(block[1]) * UNITS[block[2]!]!, objectsPerSecond: Number(block[3]) };
}

/** Throughput from warp's tab-separated benchmark data (`zstd -dc file.csv.zst`). */
export function throughputFromData(tsv: string, op: 'get' | 'put'): { bytesPerSecond: number; objectsPerSecond: number } | undefined {
  const [header, ...rows] = tsv.trim().split('\n');
  const cols = (header ?? '').split('\t');
  const at = (name: string) => cols.indexOf(name);
  let bytes = 0;
  let ops = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const row of rows) {
    const f = row.split('\t');
    if (f[at('op')] !== op.toUpperCase() || f[at('error')]) continue;
    bytes += Number(f[at('bytes')]);
    ops += Number(f[at('n_objects')]) || 1;
    first = Math.min(first, Date.parse(f[at('start')]!));
    last = Math.max(last, Date.parse(f[at('end')]!));
  }
  const seconds = (last - first) / 1000;
  return ops && seconds > 0 ? { bytesPerSecond: bytes / seconds, objectsPerSecond: ops / seconds } : undefined;
}

/**
 * Runs `warp <op>` for `seconds` and returns its throughput.
 * @throws when warp fails or produces no figure.
 */
export async function runWarp(options: {
  bin: string; target: S3Target; op: 'get' | 'put'; objectSize: number; objectCount: number; concurrency: number; seconds: number; workDir: string; serverPids: number[];
}): Promise<WarpResult> {
  const host = new URL(options.target.endpoint).host;
  const data = join(options.workDir, `warp-${options.op}-${options.objectSize}-${Date.now()}`);
  const args = [options.op, '--host', host, '--access-key', options.target.accessKeyId, '--secret-key', options.target.secretAccessKey,
    '--bucket', `warp-bench-${options.op}`, '--obj.size', `${options.objectSize}B`, '--concurrent', String(options.concurrency),
    '--duration', `${options.seconds}s`, '--no-color', '--benchdata', data,
    ...(options.op === 'get' ? ['--objects', String(options.objectCount)] : [])];
  const run = await runTimed(join(options.bin, 'warp'), args, { serverPids: options.serverPids, timeFile: `${data}.time` });
  const base = { op: options.op, objectSize: options.objectSize, concurrency: options.concurrency, seconds: options.seconds };
  const average = parseWarpAverage(run.stdout + run.stderr, options.op);
  if (average) return { ...base, ...average, source: 'warp average' };
  const file = `${data}.csv.zst`;
  if (existsSync(file)) {
    const fromData = throughputFromData(execFileSync('zstd', ['-dcq', file], { encoding: 'utf8', maxBuffer: 1 << 30 }), options.op);
    if (fromData) return { ...base, ...fromData, source: 'benchmark data' };
  }
  throw new Error(`warp ${options.op} gave no figure:\n${(run.stdout + run.stderr).slice(-1500)}`);
}
