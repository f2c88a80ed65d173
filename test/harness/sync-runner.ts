/**
 * Running sync workflows in tests: a Temporal client, and starting a job's workflow the way
 * the CLI does.
 */
import { Client, Connection } from '@temporalio/client';
import type { ConnectorConfig } from '../../config/schema';
import { localBackend } from '../../datasets/local-backend';
import { Dataset } from '../../datasets/dataset';
import type { SyncResult } from '../../workflows/sync-types';
import { testEnv } from './test-env';

/** A Temporal client on the test server; close it in afterAll. */
export async function temporalClient(): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: testEnv().temporalAddress });
  return { client: new Client({ connection }), close: () => connection.close() };
}

/** Runs sync job `job` of `cfg` to completion on `taskQueue`. */
export async function runSyncJob(client: Client, cfg: ConnectorConfig, job: string, taskQueue: string, workflowId?: string): Promise<SyncResult> {
  const sync = cfg.syncs[job]!;
  const type = sync.mode === 'bulk' ? 'bulkImport' : sync.mode === 'media' ? 'mediaSync' : 'incrementalSync';
  return client.workflow.execute(type, {
    taskQueue, workflowId: workflowId ?? `${type}/${job}/${Math.random().toString(36).slice(2)}`,
    args: [{ job, source: sync.source, dataset: sync.dataset, maxErrorRetries: cfg.sources[sync.source]!.maxErrorRetries }],
  });
}

/** The dataset `name` of a local store at `root`. */
export function localDataset(root: string, name: string): Dataset {
  return new Dataset(localBackend(root), name);
}
