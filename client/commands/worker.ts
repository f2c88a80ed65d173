/** `worker`: runs a worker with pino logs until SIGINT/SIGTERM. Many may run against one cluster. */
import type { Command } from 'commander';
import { commandLogger } from '../../worker/logger';
import { LAUNCHER_HEAP_FLAGS } from '../../worker/heap';
import { runWorker } from '../../worker/run-worker';
import { loadConfigFor, type GlobalOptions } from '../context';
import { addGlobalOptions, addLogOptions, parseOptions, wholeNumber, type CommandLogOptions } from '../options';



export function registerWorker(program: Command): void {
  addLogOptions(addGlobalOptions(program.command('worker')))
    .description('run a worker that executes sync, export and probe workflows')
    .option('--max-concurrent-activities <n>', 'activities this worker runs at once (default 100)', wholeNumber(1))
    .option('--heap-growing-percent <n>', `how far the heap may grow past live data before a full collection, in percent (default ${LAUNCHER_HEAP_FLAGS.heapGrowingPercent} above ${LAUNCHER_HEAP_FLAGS.initialOldSpaceMiB} MB of old generation, set by bin/s3-connector.js; 0: V8's adaptive growth, more memory on large incremental syncs)`, wholeNumber(0, 1000, "0: V8's own adaptive growth"))
    .action(async (raw: unknown) => {
      const options = parseOptions<GlobalOptions & CommandLogOptions & { maxConcurrentActivities?: number; heapGrowingPercent?: number }>(raw);
      const { config } = loadConfigFor(options);
      await runWorker({ config, address: options.address, namespace: options.namespace, taskQueue: options.taskQueue, logger: commandLogger({ level: options.logLevel, format: options.logFormat }),
        maxConcurrentActivities: options.maxConcurrentActivities, heapGrowingPercent: options.heapGrowingPercent });
    });
}
