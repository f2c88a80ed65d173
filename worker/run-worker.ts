/**
 * Runs a worker until SIGINT/SIGTERM, then shuts down gracefully: Temporal stops handing it
 * tasks and running activities get the shutdown grace time to finish or heartbeat.
 */
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { ConnectorConfig } from '../config/schema';
import { createConnectorWorker } from './create-worker';
import { limitHeapGrowth, memorySettings } from './heap';

let runtimeInstalled = false;

/** Routes the Temporal SDK's own logs into pino (once per process: a Runtime is global). */
function installRuntimeLogger(logger: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: new DefaultLogger((process.env.TEMPORAL_LOG_LEVEL ?? 'INFO') as LogLevel, (entry) => {
      const level = entry.level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error';
      logger[level === 'trace' ? 'debug' : level]({ ...entry.meta, component: 'temporal' }, entry.message);
    }),
  });
}

/** Options of runWorker. */
export interface RunWorkerOptions {
  config: ConnectorConfig;
  address: string;
  namespace: string;
  taskQueue: string;
  logger: Logger;
  maxConcurrentActivities?: number;
  /** Heap growth past live data before a full collection, in percent, over the launcher's (worker/heap.ts; 0: V8's adaptive growth). */
  heapGrowingPercent?: number;
}

/** Connects, runs until a signal, returns after a graceful shutdown. */
export async function runWorker(options: RunWorkerOptions): Promise<void> {
  installRuntimeLogger(options.logger);
  if (options.heapGrowingPercent !== undefined) limitHeapGrowth(options.heapGrowingPercent);
  const connection = await NativeConnection.connect({ address: options.address });
  try {
    const worker = await createConnectorWorker({ config: options.config, connection, namespace: options.namespace, taskQueue: options.taskQueue,
      maxConcurrentActivities: options.maxConcurrentActivities });
    options.logger.info({ address: options.address, namespace: options.namespace, taskQueue: options.taskQueue, sources: Object.keys(options.config.sources),
      memory: memorySettings(process.execArgv, process.env, options.heapGrowingPercent) }, 'worker started');
    // The SDK installs SIGINT/SIGTERM handlers that call worker.shutdown() (shutdownSignals).
    await worker.run();
    options.logger.info('worker stopped');
  } finally {
    await connection.close();
  }
}
