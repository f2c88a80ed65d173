/**
 * The real Temporal server, as `temporal server start-dev`, with the connector's search
 * attributes registered.
 */
import { Connection } from '@temporalio/client';
import { join } from 'node:path';
import { SEARCH_ATTRIBUTES } from '../shared/temporal-contract';
import { freePort, retryOnEarlyExit, startProcess, toolPath, waitUntil, type ServerProcess } from './process';

/** A running Temporal dev server. */
export interface TemporalDevServer extends ServerProcess {
  address: string;
  uiUrl: string | undefined;
}

/** Options for startTemporalDevServer; ports left out are chosen free. */
export interface TemporalDevServerOptions {
  logDir: string; port?: number; uiPort?: number; dbFile?: string; headless?: boolean;
  /** Server dynamic config, e.g. { 'limit.historyCount.suggestContinueAsNew': 40 } (values are JSON). */
  dynamicConfig?: Record<string, string | number | boolean>;
}

/**
 * Starts a dev server on loopback. With `dbFile` its state survives restarts. A server that
 * exits before it is ready (a chosen port taken in the meantime) is started again, up to three
 * times, on newly chosen ports.
 */
export function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  return retryOnEarlyExit(3, () => startOnce(options));
}

async function startOnce(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const port = options.port ?? (await freePort());
  const uiPort = options.uiPort ?? (await freePort());
  const logFile = join(options.logDir, `temporal-${port}.log`);
  // The CLI would pick its HTTP API and metrics ports itself, from the OS's ephemeral range,
  // where outgoing connections can take them first; freePort() stays below that range.
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn',
    '--http-port', String(await freePort()), '--metrics-port', String(await freePort()),
    ...(options.headless ? ['--headless'] : ['--ui-port', String(uiPort)]),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]),
    ...SEARCH_ATTRIBUTES.flatMap((name) => ['--search-attribute', `${name}=Keyword`])];
  const proc = startProcess(toolPath('temporal'), args, { logFile });
  const address = `127.0.0.1:${port}`;
  await waitUntil('Temporal dev server', async () => {
    const connection = await Connection.connect({ address, connectTimeout: 1000 });
    try {
      await connection.workflowService.getSystemInfo({});
      return true;
    } finally {
      await connection.close();
    }
  }, 60_000, proc, logFile);
  return { ...proc, address, uiUrl: options.headless ? undefined : `http://127.0.0.1:${uiPort}` };
}
