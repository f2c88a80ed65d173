/**
 * `tables read` on a worker (the default; --direct reads in this process): a `readTable`
 * workflow streams the read into the dataset store below `_reads/<workflow id>/` with the
 * worker's credentials and returns where; this process copies the bytes out of the store and
 * removes the folder, whatever happened (a failed or cancelled read removes its own part first).
 * Ctrl-C cancels the workflow, which waits until the worker has removed what it wrote. Without
 * a worker polling the task queue, nothing starts (worker-presence.ts).
 */
import { randomUUID } from 'node:crypto';
import type { ConnectorConfig } from '../config/schema';
import { openStore } from '../datasets/open-store';
import { createSourceRegistry } from '../s3/source-registry';
import { SEARCH_ATTRIBUTE_KEYS, workflowId } from '../shared/temporal-contract';
import type { ReadFormat, ReadProgress } from '../tables/read-output';
import { readFolder } from '../tables/read-to-store';
import { readTable, type ReadTableInput } from '../workflows';
import type { StoreBackend } from '../datasets/backend';
import type { GlobalOptions } from './context';
import { JobFailedError } from './errors';
import { WaitInterruptedError } from './interrupt';
import { workerClient } from './worker-presence';

/** A whole read may run as long as the table is large; a workflow that outlives this is ended by Temporal. */
const READ_TIMEOUT = '12 hours';

/**
 * The bytes of a read of `table` run on a worker, in order; `progress` gets the rows, bytes,
 * version and columns once the worker is done. Stopping early still removes the stored copy.
 */
export async function* readOnWorker(
  config: ConnectorConfig, options: GlobalOptions, table: string, request: ReadTableInput['request'], format: ReadFormat, progress: ReadProgress,
): AsyncGenerator<Uint8Array> {
  const source = config.virtualTables[table]?.source ?? '';
  const id = workflowId('readTable', table, randomUUID());
  const store = openStore(config, createSourceRegistry(config));
  const { client, close } = await workerClient(options, 'read in this process with its credentials: tables read --direct');
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    void client.workflow.getHandle(id).cancel().catch(() => undefined);
  };
  process.once('SIGINT', onInterrupt);
  try {
    const stored = await client.workflow.execute(readTable, {
      taskQueue: options.taskQueue,
      workflowId: id,
      workflowExecutionTimeout: READ_TIMEOUT,
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTE_KEYS.source, value: source }],
      args: [{ table, maxErrorRetries: config.sources[source]?.maxErrorRetries ?? 0, request, format }],
    });
    process.off('SIGINT', onInterrupt);
    progress.rows = stored.rows;
    progress.header = stored.header;
    await requireInStore(store, stored.path);
    const body = await store.readStream(stored.path);
    for await (const chunk of body) {
      progress.bytes += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  } catch (err) {
    if (interrupted) throw new WaitInterruptedError(`tables read ${table} interrupted: the read on the worker (workflow ${id}) was cancelled and what it wrote removed`, true);
    throw err;
  } finally {
    process.off('SIGINT', onInterrupt);
    await close();
    await store.remove(readFolder(id));
  }
}

/**
 * Fails naming the fix when the worker's copy is not in this process's dataset store: the worker
 * and the CLI then read different stores (a local folder on each machine, a container's volume).
 */
async function requireInStore(store: StoreBackend, path: string): Promise<void> {
  const slash = path.lastIndexOf('/');
  if ((await store.list(path.slice(0, slash))).includes(path.slice(slash + 1))) return;
  throw new JobFailedError(`the worker wrote the read to ${path} in its dataset store, which is not in this process's dataset store ${store.location}: `
    + 'the worker and the CLI must share the dataset store (an S3 source, or one folder both reach). Fix: use a shared datasetStore, or read in this process: tables read --direct');
}
