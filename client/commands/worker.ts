/** `worker`: runs a worker with pino logs until SIGINT/SIGTERM. Many may run against one cluster. */
import { InvalidArgumentError, type Command } from 'commander';
import { createLogger } from '../../worker/logger';
import { runWorker } from '../../worker/run-worker';
import { loadConfigFor, type GlobalOptions } from '../context';
import { addGlobalOptions, parseOptions } from '../options';

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1.');
  return n;
}

export function registerWorker(program: Command): void {
  addGlobalOptions(program.command('worker'))
    .description('run a worker that executes sync, export and probe workflows')
    .option('--max-concurrent-activities <n>', 'activities this worker runs at once (default 100)', positiveInteger)
    .action(async (raw: unknown) => {
      const options = parseOptions<GlobalOptions & { maxConcurrentActivities?: number }>(raw);
      const { config } = loadConfigFor(options);
      await runWorker({ config, address: options.address, namespace: options.namespace, taskQueue: options.taskQueue, logger: createLogger(),
        maxConcurrentActivities: options.maxConcurrentActivities });
    });
}
