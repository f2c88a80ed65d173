/** `worker`: runs a worker with pino logs until SIGINT/SIGTERM. Many may run against one cluster. */
import type { Command } from 'commander';
import { createLogger } from '../../worker/logger';
import { runWorker } from '../../worker/run-worker';
import { loadConfigFor, type GlobalOptions } from '../context';
import { addGlobalOptions, parseOptions } from '../options';

export function registerWorker(program: Command): void {
  addGlobalOptions(program.command('worker'))
    .description('run a worker that executes sync, export and probe workflows')
    .action(async (raw: unknown) => {
      const options = parseOptions<GlobalOptions>(raw);
      const { config } = loadConfigFor(options);
      await runWorker({ config, address: options.address, namespace: options.namespace, taskQueue: options.taskQueue, logger: createLogger() });
    });
}
