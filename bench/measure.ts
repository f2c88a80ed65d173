/**
 * Measuring a run: wall time (monotonic clock), client CPU seconds (user+sys) and peak RSS —
 * of a command wrapped in `/usr/bin/time -f "%e %U %S %M"`, or of a long-lived process through
 * /proc/<pid>/stat and /proc/<pid>/status — plus the servers' CPU during the run, and medians.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';

/** One measured run. */
export interface Sample {
  wallSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
  /** CPU seconds MinIO and the Temporal server spent during the run (not the tool's own). */
  serverCpuSeconds: number;
}

/** The clock-tick rate of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user+sys, all threads) a live process has used so far. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime (fields 14, 15)
}

/** Peak resident memory (VmHWM) of a live process, in bytes. */
export function peakRss(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmHWM for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU seconds of the servers (by pid), for `serverCpuSeconds` deltas. */
export function serverCpu(pids: number[]): () => number {
  const read = () => pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
  const start = read();
  return () => read() - start;
}

/** What a timed command printed and used. */
export interface TimedResult extends Sample {
  code: number;
  /** The first MiB of stdout, and its full line count. */
  stdout: string;
  stdoutLines: number;
  stderr: string;
}

/**
 * Runs `command args` under /usr/bin/time; `serverPids` are the servers whose CPU is counted
 * separately; `env` entries set to undefined are removed from the inherited environment.
 * @throws when the command fails (exit code not 0), with the tail of its stderr.
 */
export async function runTimed(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; serverPids: number[]; timeFile: string })
  : Promise<TimedResult> {
  rmSync(options.timeFile, { force: true });
  const servers = serverCpu(options.serverPids);
  const started = process.hrtime.bigint();
  const env = { ...process.env, ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', options.timeFile, command, ...args], { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stdoutLines = 0;
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    if (stdout.length < 1 << 20) stdout += d;
    for (let at = d.indexOf(10); at >= 0; at = d.indexOf(10, at + 1)) stdoutLines++;
  });
  child.stderr.on('data', (d) => { if (stderr.length < 1 << 20) stderr += d; });
  const code = await new Promise<number>((ok, fail) => {
    child.once('error', fail);
    child.once('close', (c) => ok(c ?? -1));
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const serverCpuSeconds = servers();
  if (code !== 0) throw new Error(`${command.split('/').at(-1)} exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' / ')} (command: ${command} ${args.join(' ')})`);
  const line = readFileSync(options.timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
  const [, user, sys, maxKb] = line.split(' ').map(Number);
  if ([user, sys, maxKb].some((n) => n === undefined || Number.isNaN(n))) throw new Error(`unreadable /usr/bin/time output: ${line}`);
  return { code, stdout, stdoutLines, stderr, wallSeconds, cpuSeconds: user! + sys!, peakRssBytes: maxKb! * 1024, serverCpuSeconds };
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The per-metric medians of `samples`. */
export function medianSample(samples: Sample[]): Sample {
  const of = (key: keyof Sample) => median(samples.map((s) => s[key]));
  return { wallSeconds: of('wallSeconds'), cpuSeconds: of('cpuSeconds'), peakRssBytes: of('peakRssBytes'), serverCpuSeconds: of('serverCpuSeconds') };
}

/** The 1, 5 and 15 minute load averages, rounded. */
export function loadAverage(): [number, number, number] {
  const [a, b, c] = loadavg().map((n) => Math.round(n * 100) / 100);
  return [a!, b!, c!];
}
