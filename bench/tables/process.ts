/**
 * Child processes and command-line options of the tables benchmark.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A finished process: its wall time in seconds (start to exit), CPU seconds, exit code and output. */
export interface Timed {
  seconds: number;
  /** User + system CPU seconds of the process and its children (GNU time's %U + %S). */
  cpuSeconds: number;
  code: number;
  stdout: string;
  stderr: string;
}

let timeFiles = 0;

/**
 * Runs a process to its end and times it, under /usr/bin/time for its CPU: on this shared
 * machine the CPU seconds vary far less between runs than the wall time does.
 */
export function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed> {
  const timeFile = join(tmpdir(), `bench-tables-time-${process.pid}-${timeFiles++}`);
  const started = performance.now();
  return new Promise((ok, fail) => {
    const child = spawn('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, cmd, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      let cpuSeconds = Number.NaN;
      try {
        // The last line: GNU time puts "Command exited with non-zero status" before it.
        const [user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
        cpuSeconds = user! + system!;
      } catch { /* no time file: the command did not start; its exit code says so */ }
      rmSync(timeFile, { force: true });
      ok({ seconds, cpuSeconds, code: code ?? -1, stdout, stderr });
    });
  });
}

/** Runs a process that must succeed: its output, or an error naming `what` with its stderr. */
export async function succeed(what: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Timed> {
  const r = await timed(cmd, args, env);
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r;
}

/** The value of `--name VALUE` on the command line, or `fallback`. */
export function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? String(process.argv[i + 1]) : fallback;
}

/** A numeric `--name N`; fails naming the option when N is not a positive integer. */
export function count(name: string, fallback: number): number {
  const value = Number(option(name, String(fallback)));
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name}: expected a positive integer, got ${option(name, '')}`);
  return value;
}
