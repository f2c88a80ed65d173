/**
 * Long-running CLI processes (worker, dev) for tests: start, wait for a line, stop with a signal.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { delimiter, dirname, resolve } from 'node:path';

/** A running CLI process with its output so far. */
export interface LongCli {
  child: ChildProcessWithoutNullStreams;
  output: () => { stdout: string; stderr: string };
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  stop: (signal: NodeJS.Signals) => Promise<number | null>;
}

/**
 * Starts the built CLI with `args` as users do: through bin/s3-connector.js's shell part (its
 * memory settings), with this test's node first on PATH. The shell execs node, so the child's
 * pid and signals are node's.
 */
export function startCli(args: string[], env: Record<string, string> = {}): LongCli {
  const bin = resolve(__dirname, '..', '..', 'bin', 's3-connector.js');
  const path = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
  const child = spawn(bin, args, { env: { ...process.env, PATH: path, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return {
    child,
    output: () => ({ stdout, stderr }),
    waitFor: (pattern, timeoutMs = 60_000) => new Promise((ok, fail) => {
      const deadline = Date.now() + timeoutMs;
      const poll = () => {
        if (pattern.test(stdout) || pattern.test(stderr)) return ok();
        if (child.exitCode !== null) return fail(new Error(`process exited (${child.exitCode}) before ${pattern}:\n${stderr}`));
        if (Date.now() > deadline) return fail(new Error(`no ${pattern} after ${timeoutMs} ms:\n${stderr}`));
        setTimeout(poll, 100);
      };
      poll();
    }),
    stop: async (signal) => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
