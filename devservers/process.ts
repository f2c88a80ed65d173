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
    const fix = ['temporal', 'minio', 'mc'].includes(name) ? 'npm run setup' : 'bash scripts/setup.sh --test (the test tools)';
    throw new Error(`${name} is not installed (looked in ${candidates.join(', ')}). Fix: run ${fix}.`);
  }
  return found;
}

/** The project root, whether running from sources (ts) or from dist/. */
export function projectRoot(): string {
  let dir = resolve(__dirname, '..');
  if (dir.endsWith('/dist')) dir = resolve(dir, '..');
  return dir;
}

/**
 * A free loopback TCP port for a server we are about to start. It is picked below the kernel's
 * ephemeral range (net.ipv4.ip_local_port_range, 32768-60999 on Linux), because every outgoing
 * connection takes its local port from that range: a port the OS hands out with listen(0) can be
 * taken by some client's connect() before the server binds it. Ports are bind-probed, so one in
 * use by a listener is skipped; only a listener starting in the gap can still win, which
 * `startTemporalDevServer` and `startMinio` survive by retrying.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(candidate)) return candidate;
  }
  return osPort();
}

/** Whether a server can listen on loopback `port` now (nothing else listens there). */
export function canListen(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const server = createServer();
    server.once('error', () => ok(false));
    server.listen(port, '127.0.0.1', () => server.close(() => ok(true)));
  });
}

function osPort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port'))));
    });
  });
}

/** A server process exited before it became ready. */
export class ServerExitedEarly extends Error {}

/**
 * Runs `start` up to `attempts` times while it fails with a server that exited before it was
 * ready (a port lost between choice and bind); any other failure is thrown at once.
 */
export async function retryOnEarlyExit<T>(attempts: number, start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof ServerExitedEarly) || attempt >= attempts) throw error;
    }
  }
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
  return { child, stop: stopper(child, 5000) };
}

/** A stop() for `child`: SIGTERM, then SIGKILL when it has not exited after `graceMs`; resolves once it exited. */
export function stopper(child: ChildProcess, graceMs: number): () => Promise<void> {
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
}

/** Polls `probe` until it resolves true, or fails after `timeoutMs` with `what` and the log file named. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number, proc?: ServerProcess, logFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && proc.child.exitCode !== null) throw new ServerExitedEarly(`${what} exited with code ${proc.child.exitCode}; see ${logFile}.`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} was not ready after ${timeoutMs} ms; see ${logFile}.`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
