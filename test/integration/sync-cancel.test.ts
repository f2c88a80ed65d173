import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { putObjectsAsArchives } from '../harness/bulk-upload';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { createBucket } from '../harness/minio-admin';
import { localDataset, temporalClient } from '../harness/sync-runner';
import { incrementalSync } from '../../workflows';

/** The entries of a folder of the store, or none when it does not exist. */
const entries = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

describe('cancelling a sync', () => {
  let t: Awaited<ReturnType<typeof temporalClient>>;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
  });
  afterAll(() => t.close());

  it('stops the copies and removes the run\'s staging, manifest and index parts, committing nothing', async () => {
    const bucket = await createBucket('sync-cancel');
    await putObjectsAsArchives(bucket, Array.from({ length: 3000 }, (_, i) => ({ key: `data/${String(i).padStart(5, '0')}.txt`, body: `object ${i}\n` })));
    const storeRoot = mkdtempSync(join(tmpdir(), 'sync-cancel-store-'));
    // One connection: the first page's copies are still running when the cancellation comes.
    const cfg = config({ datasetStore: storeRoot, sources: { src: minioSource(bucket, { maxConnections: 1 }) },
      syncs: { job: { source: 'src', dataset: 'ds', mode: 'incremental', pageSize: 1000 } } });
    await withWorker(cfg, async (taskQueue) => {
      const handle = await t.client.workflow.start(incrementalSync, {
        taskQueue, workflowId: `incrementalSync/cancel-${Date.now()}`, args: [{ job: 'job', source: 'src', dataset: 'ds', maxErrorRetries: 1 }],
      });
      const staging = join(storeRoot, 'ds', 'runs', handle.firstExecutionRunId);
      // The copy activity saves its progress every 2 s: once it has, copies are under way.
      while (!entries(staging).some((name) => name.startsWith('progress-'))) await new Promise((ok) => setTimeout(ok, 50));
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      const history = await handle.fetchHistory();
      const activities = history.events!.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
      expect(activities).toContain('syncAbortRun');
      expect(entries(staging)).toEqual([]);
      expect(entries(join(storeRoot, 'ds', 'manifests', handle.firstExecutionRunId))).toEqual([]);
      expect(entries(join(storeRoot, 'ds', 'index', 'job', handle.firstExecutionRunId))).toEqual([]);
    });
    expect(await localDataset(storeRoot, 'ds').transactions()).toEqual([]);
  });
});
