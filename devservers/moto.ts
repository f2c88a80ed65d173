/**
 * moto's server (`moto_server`, from moto[server] on PyPI) on loopback: AWS Glue (and the other
 * AWS APIs moto mocks) for the Glue catalog tests. Its Glue keeps an Iceberg table's
 * `Parameters.metadata_location`. Installed by scripts/install-catalog-servers.sh into the tools' venv.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, projectRoot, retryOnEarlyExit, startProcess, waitUntil, type ServerProcess } from './process';

/** A running moto server. */
export interface MotoServer extends ServerProcess {
  /** Its endpoint URL, for every AWS service it mocks, e.g. `http://127.0.0.1:20123`. */
  endpoint: string;
  port: number;
}

/** Options for startMotoServer. */
export interface MotoOptions {
  logDir: string;
  port?: number;
}

/** The moto_server program; fails naming the install script when it is missing. */
export function motoServerPath(): string {
  const path = resolve(projectRoot(), '.tools', 'venv', 'bin', 'moto_server');
  if (!existsSync(path)) throw new Error(`moto_server is not installed (no ${path}). Fix: run bash scripts/install-catalog-servers.sh (npm test's setup runs it).`);
  return path;
}

/** Starts moto's server and waits until it answers; one that exits early (a port lost) is started again. */
export function startMotoServer(options: MotoOptions): Promise<MotoServer> {
  return retryOnEarlyExit(3, () => startOnce(options));
}

async function startOnce(options: MotoOptions): Promise<MotoServer> {
  const program = motoServerPath();
  const port = options.port ?? (await freePort());
  const logFile = join(options.logDir, `moto-${port}.log`);
  const proc = startProcess(program, ['-H', '127.0.0.1', '-p', String(port)], { logFile });
  const endpoint = `http://127.0.0.1:${port}`;
  // moto's own API answers without AWS signing once the server listens.
  await waitUntil('moto server', async () => (await fetch(`${endpoint}/moto-api/data.json`)).ok, 60_000, proc, logFile);
  return { ...proc, endpoint, port };
}
