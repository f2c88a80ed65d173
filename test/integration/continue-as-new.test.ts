import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startTemporalDevServer } from '../../devservers/temporal-dev';
import { createConnectorWorker } from '../../worker/create-worker';
import { putObjectsAsArchives } from '../harness/bulk-upload';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { createBucket } from '../harness/minio-admin';
import { localDataset } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';

describe('long runs', () => {
  it('continue as new when Temporal suggests it, carrying the cursor, and still commit one transaction with every object', async () => {
    Object.assign(process.env, rootKeyEnv());
    const bucket = await createBucket('can');
    const count = 40 * 100;
    await putObjectsAsArchives(bucket, Array.from({ length: count }, (_, i) => ({ key: `k/${String(i).padStart(5, '0')}`, body: `can ${i}` })));
    const storeRoot = mkdtempSync(join(tmpdir(), 'can-store-'));
    // Small pages (100 keys) make many activities, hence a long history.
    const cfg = config({ datasetStore: storeRoot, sources: { src: minioSource(bucket) }, syncs: { job: { source: 'src', dataset: 'ds', mode: 'incremental', pageSize: 100 } } });
    // A server of its own that suggests continue-as-new after a few dozen history events.
    const server = await startTemporalDevServer({ logDir: mkdtempSync(join(testEnv().runDir, 'can-')), headless: true,
      dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 30 } });
    const native = await NativeConnection.connect({ address: server.address });
    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection });
      const worker = await createConnectorWorker({ config: cfg, connection: native, taskQueue: 'can', fromSources: true });
      const handle = await client.workflow.start('incrementalSync', {
        taskQueue: 'can', workflowId: 'incrementalSync/job', args: [{ job: 'job', source: 'src', dataset: 'ds', maxErrorRetries: 1 }],
      });
      const result = await worker.runUntil(handle.result());
      expect(result).toMatchObject({ transaction: 1, filesAdded: count });
      const runs = [];
      for await (const run of client.workflow.list({ query: 'WorkflowId = "incrementalSync/job"' })) runs.push(run.runId);
      expect(runs.length).toBeGreaterThan(1);
    } finally {
      await connection.close();
      await native.close();
      await server.stop();
    }
    const ds = localDataset(storeRoot, 'ds');
    const files = await ds.transactionFiles((await ds.latest())!);
    expect(new Set(files.map((f) => f.path)).size).toBe(count);
  });
});
