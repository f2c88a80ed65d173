/**
 * Child processes for the local servers (Temporal dev server, MinIO, tinyproxy): free ports,
 * start, wait until ready, stop. Used by the test harness, `s3-connector dev` and the demo.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** Path of a tool: `$S3C_<NAME>_BIN`, then .tools/bin/<name>. @throws when it is not installed. */
export function toolPath(name: string): string {
  const override = process.env[`S3C_${name.toUpperCase()}_BIN`];
  const candidates = [override, resolve(projectRoot(), '.tools', 'bin', name)].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`${name} is not installed (looked in ${candidates.join(', ')}). Fix: run scripts/install-tools.sh (npm run setup).`);
  }
  return found;
}

/** The project root, whether running from sources (ts) or from dist/. */
export function projectRoot(): string {
  let dir = resolve(__dirname, '..');
  if (dir.endsWith('/dist')) dir = resolve(dir, '..');
  return dir;
}

/** Asks the OS for a free loopback TCP port. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port'))));
    });
  });
}

/** A started server process. */
export interface ServerProcess {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns `command`, logging to `logFile`; stop() sends SIGTERM, then SIGKILL after 5 s. */
export function startProcess(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; logFile: string; cwd?: string }): ServerProcess {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(command, args, { env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `probe` until it resolves true, or fails after `timeoutMs` with `what` and the log file named. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number, proc?: ServerProcess, logFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && proc.child.exitCode !== null) throw new Error(`${what} exited with code ${proc.child.exitCode}; see ${logFile}.`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} was not ready after ${timeoutMs} ms; see ${logFile}.`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
