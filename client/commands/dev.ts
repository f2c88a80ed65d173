/** `dev`: the embedded default — a local Temporal dev server with its Web UI, plus a worker. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { canListen } from '../../devservers/process';
import { startTemporalDevServer } from '../../devservers/temporal-dev';
import { commandLogger } from '../../worker/logger';
import { runWorker } from '../../worker/run-worker';
import { loadConfigFor, UsageError, type GlobalOptions } from '../context';
import { addGlobalOptions, addLogOptions, parseOptions, wholeNumber, type CommandLogOptions } from '../options';

export function registerDev(program: Command): void {
  addLogOptions(addGlobalOptions(program.command('dev')))
    .description('start a local Temporal dev server (with its Web UI) and a worker')
    .option('--port <port>', 'Temporal frontend port', wholeNumber(1, 65535), 7233)
    .option('--ui-port <port>', 'Web UI port', wholeNumber(1, 65535), 8233)
    .option('--state-dir <dir>', 'where the dev server keeps its database and logs', '.run/dev')
    .action(async (raw: unknown) => {
      const options = parseOptions<GlobalOptions & CommandLogOptions & { port: number; uiPort: number; stateDir: string }>(raw);
      const { config } = loadConfigFor(options);
      const stateDir = resolve(options.stateDir);
      mkdirSync(stateDir, { recursive: true });
      // A taken port would let the readiness probe reach someone else's server and "attach" to it.
      for (const [port, flag] of [[options.port, '--port'], [options.uiPort, '--ui-port']] as const) {
        if (!(await canListen(port))) {
          throw new UsageError(`dev: port ${port} on 127.0.0.1 is taken (another Temporal server, an earlier \`s3-connector dev\`, or another program listens there). `
            + `Fix: stop it, or choose another port with ${flag} (then pass --address 127.0.0.1:PORT to the other commands).`);
        }
      }
      const logger = commandLogger({ level: options.logLevel, format: options.logFormat });
      const server = await startTemporalDevServer({ logDir: stateDir, port: options.port, uiPort: options.uiPort, dbFile: join(stateDir, 'temporal.db') });
      logger.info({ address: server.address, ui: server.uiUrl }, 'Temporal dev server started');
      process.stderr.write(`Temporal Web UI: ${server.uiUrl}\n`);
      try {
        await runWorker({ config, address: server.address, namespace: options.namespace, taskQueue: options.taskQueue, logger });
      } finally {
        await server.stop();
      }
    });
}
