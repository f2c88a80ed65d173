/**
 * Builds a Temporal worker for the connector: activities over the config's sources, and the
 * workflows either from a prebuilt bundle (production) or from sources (tests, dev).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createSourceRegistry } from '../s3/source-registry';
import type { ConnectorConfig } from '../config/schema';
import type { StoreBackend } from '../datasets/backend';
import { openStore } from '../datasets/open-store';
import { TASK_QUEUE } from '../shared/temporal-contract';
import { failureInterceptor } from './failure-interceptor';

/** Where `npm run build` writes the workflow bundle. */
export const WORKFLOW_BUNDLE = resolve(__dirname, '..', 'workflow-bundle.js');

/** Options of createConnectorWorker. */
export interface WorkerOptions {
  config: ConnectorConfig;
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  /** Use the workflow sources even if a bundle exists (tests). */
  fromSources?: boolean;
  /** Activities this worker runs at once (Temporal's default is 100); sizes a worker to its host. */
  maxConcurrentActivities?: number;
}

/** Creates (but does not run) a worker. */
export async function createConnectorWorker(options: WorkerOptions): Promise<Worker> {
  const sources = createSourceRegistry(options.config);
  let store: StoreBackend | undefined;
  const activities = createActivities({ sources, config: options.config, store: () => (store ??= openStore(options.config, sources)) });
  const useBundle = !options.fromSources && existsSync(WORKFLOW_BUNDLE);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    activities,
    interceptors: { activity: [failureInterceptor] },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities,
    // Heartbeats reach the server at least every 2 s (not only every 0.8 x heartbeatTimeout), so a
    // cancellation reaches a running upload quickly and a resumed one finds recent details.
    maxHeartbeatThrottleInterval: '2 seconds',
    ...(useBundle
      ? { workflowBundle: { codePath: WORKFLOW_BUNDLE } }
      : { workflowsPath: require.resolve('../workflows') }),
  });
}
