/**
 * A real MinIO server on loopback, for tests and the demo.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, retryOnEarlyExit, startProcess, toolPath, waitUntil, type ServerProcess } from './process';

/** A running MinIO server. */
export interface MinioServer extends ServerProcess {
  endpoint: string;
  port: number;
  rootUser: string;
  rootPassword: string;
}

/** Options for startMinio. `certsDir` holds public.crt/private.key to serve TLS. */
export interface MinioOptions {
  dataDir: string;
  logDir: string;
  port?: number;
  rootUser?: string;
  rootPassword?: string;
  certsDir?: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts MinIO and waits for its liveness probe; one that exits early (a port lost) is started again. */
export function startMinio(options: MinioOptions): Promise<MinioServer> {
  return retryOnEarlyExit(3, () => startOnce(options));
}

async function startOnce(options: MinioOptions): Promise<MinioServer> {
  const port = options.port ?? (await freePort());
  const consolePort = await freePort();
  const rootUser = options.rootUser ?? 'minioadmin';
  const rootPassword = options.rootPassword ?? 'minioadmin-secret';
  mkdirSync(options.dataDir, { recursive: true });
  const logFile = join(options.logDir, `minio-${port}.log`);
  const args = ['server', options.dataDir, '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, '--quiet',
    ...(options.certsDir ? ['--certs-dir', options.certsDir] : [])];
  const proc = startProcess(toolPath('minio'), args, {
    logFile,
    env: { MINIO_ROOT_USER: rootUser, MINIO_ROOT_PASSWORD: rootPassword, MINIO_BROWSER: 'off', MINIO_UPDATE: 'off', ...options.env },
  });
  const scheme = options.certsDir ? 'https' : 'http';
  const endpoint = `${scheme}://127.0.0.1:${port}`;
  await waitUntil('MinIO', async () => {
    if (scheme === 'https') return true; // TLS readiness is probed by the caller, which holds the CA.
    const res = await fetch(`${endpoint}/minio/health/live`);
    return res.ok;
  }, 60_000, proc, logFile);
  return { ...proc, endpoint, port, rootUser, rootPassword };
}
