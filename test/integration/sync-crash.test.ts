import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { putObjectsAsArchives } from '../harness/bulk-upload';
import { createBucket } from '../harness/minio-admin';
import { config, minioSource, rootKeyEnv, writeConfigFile } from '../harness/connector';
import { localDataset, runSyncJob, temporalClient } from '../harness/sync-runner';
import { startWorkerProcess } from '../harness/worker-process';
import { testEnv } from '../harness/test-env';
import { createActivities } from '../../activities';
import { failureInterceptor } from '../../worker/failure-interceptor';
import { createSourceRegistry } from '../../s3/source-registry';
import { localBackend } from '../../datasets/local-backend';
import type { SyncProgress } from '../../shared/temporal-contract';

const body = (i: number) => `object ${i} ${'x'.repeat(2000 + (i % 97))}\n`;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

async function expectEveryObjectOnce(storeRoot: string, dataset: string, count: number): Promise<void> {
  const ds = localDataset(storeRoot, dataset);
  const records = await ds.transactions();
  expect(records.map((r) => r.id)).toEqual([1]);
  const files = await ds.transactionFiles(records[0]!);
  expect(files.length).toBe(count);
  expect(new Set(files.map((f) => f.path)).size).toBe(count);
  for (const f of files) expect(f.sha256).toBe(sha(body(Number(/(\d+)\.txt$/.exec(f.path)![1]))));
}

// A kill waits out a 20 s heartbeat timeout; on a loaded 2-core machine these runs take minutes.
jest.setTimeout(300_000);

describe('sync durability', () => {
  let t: Awaited<ReturnType<typeof temporalClient>>;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
  });
  afterAll(() => t.close());

  async function fixture(hint: string, count: number) {
    const bucket = await createBucket(hint);
    await putObjectsAsArchives(bucket, Array.from({ length: count }, (_, i) => ({ key: `data/${String(i).padStart(5, '0')}.txt`, body: body(i) })));
    const storeRoot = mkdtempSync(join(tmpdir(), `${hint}-store-`));
    const raw = { datasetStore: storeRoot, sources: { src: minioSource(bucket, { maxConnections: 4 }) },
      syncs: { job: { source: 'src', dataset: 'ds', mode: 'bulk' } } };
    return { storeRoot, raw, cfg: config(raw) };
  }

  it('commits exactly one transaction with every object once after the worker is killed with SIGKILL mid-copy and another takes over', async () => {
    const { storeRoot, raw } = await fixture('kill', 4000);
    const file = writeConfigFile(raw);
    const taskQueue = `kill-${Date.now()}`;
    const first = await startWorkerProcess(file, testEnv().temporalAddress, taskQueue);
    const handle = await t.client.workflow.start('bulkImport', {
      taskQueue, workflowId: `bulkImport/kill-${Date.now()}`, args: [{ job: 'job', source: 'src', dataset: 'ds', maxErrorRetries: 3 }],
    });
    // Kill once the first page is copied and the second is in flight.
    for (let progress: SyncProgress | undefined; !progress || progress.pages < 1;) {
      progress = await handle.query<SyncProgress>('progress').catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await first.stop('SIGKILL')).toBeNull();
    const second = await startWorkerProcess(file, testEnv().temporalAddress, taskQueue);
    try {
      const result = await handle.result();
      expect(result).toMatchObject({ transaction: 1, filesAdded: 4000 });
    } finally {
      await second.stop('SIGTERM');
    }
    await expectEveryObjectOnce(storeRoot, 'ds', 4000);
  });

  it('shares one job between two worker processes, each running activities, and lands every object once', async () => {
    const { storeRoot, raw, cfg } = await fixture('two', 3000);
    const taskQueue = `two-${Date.now()}`;
    const other = await startWorkerProcess(writeConfigFile(raw), testEnv().temporalAddress, taskQueue, {}, ['--max-concurrent-activities', '1']);
    const connection = await NativeConnection.connect({ address: testEnv().temporalAddress });
    // Each worker runs one activity at a time: the overlapping plan and copy activities must then use both.
    const local = await Worker.create({
      connection, taskQueue, identity: 'in-process-worker', workflowsPath: require.resolve('../../workflows'), maxConcurrentActivityTaskExecutions: 1,
      activities: createActivities({ sources: createSourceRegistry(cfg), config: cfg, store: () => localBackend(storeRoot) }),
      interceptors: { activity: [failureInterceptor] },
    });
    try {
      const workflowId = `bulkImport/two-${Date.now()}`;
      const result = await local.runUntil(runSyncJob(t.client, cfg, 'job', taskQueue, workflowId));
      expect(result).toMatchObject({ transaction: 1, filesAdded: 3000 });
      const history = await t.client.workflow.getHandle(workflowId).fetchHistory();
      const identities = new Set(history.events!.map((e) => e.activityTaskStartedEventAttributes?.identity).filter(Boolean));
      expect(identities.size).toBe(2);
      expect(identities).toContain('in-process-worker');
    } finally {
      await other.stop('SIGTERM');
      await connection.close();
    }
    await expectEveryObjectOnce(storeRoot, 'ds', 3000);
  });
});
