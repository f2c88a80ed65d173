import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { ConnectorConfig } from '../../config/schema';
import { localBackend, STALE_INCOMING_MS } from '../../datasets/local-backend';
import { s3Backend } from '../../datasets/s3-backend';
import { Dataset } from '../../datasets/dataset';
import type { StoreBackend } from '../../datasets/backend';
import { createSourceRegistry } from '../../s3/source-registry';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { listKeys } from '../harness/export-runner';
import { createBucket, createUser, putObjects } from '../harness/minio-admin';
import { runSyncJob, temporalClient } from '../harness/sync-runner';

const SHARED = 'the same bytes in a committed file and in the failed run\n';

describe('a failed sync leaves none of its blobs behind', () => {
  let bucket: string;
  let t: Awaited<ReturnType<typeof temporalClient>>;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
    bucket = await createBucket('abort-blobs');
    await putObjects(bucket, [
      { key: 'base/shared.txt', body: SHARED },
      { key: 'base/other.txt', body: 'only committed' },
      { key: 'in/dup.txt', body: SHARED },
      ...Array.from({ length: 40 }, (_, i) => ({ key: `in/obj-${String(i).padStart(3, '0')}.txt`, body: `object ${i} of the failed run\n` })),
      // Listed last and unreadable for the job: its copy fails for good, after every other one.
      { key: 'in/zzz-denied.txt', body: 'denied' },
    ]);
    const reader = createUser(`abort-blobs-${Date.now()}`, [
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [`arn:aws:s3:::${bucket}`] },
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] },
      { Effect: 'Deny', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/in/zzz-denied.txt`] },
    ]);
    process.env.ABORT_READER_KEY = reader.accessKeyId;
    process.env.ABORT_READER_SECRET = reader.secretAccessKey;
  });
  afterAll(() => t.close());

  const syncs = {
    base: { source: 'src', subfolder: 'base/', dataset: 'ds', mode: 'bulk' },
    inc: { source: 'reader', subfolder: 'in/', dataset: 'ds', mode: 'incremental' },
  };
  const sources = (extra: Record<string, unknown> = {}) => ({
    src: minioSource(bucket),
    // One connection: the copies run in key order, so the denied object fails the page last.
    reader: minioSource(bucket, { maxConnections: 1, credentials: { type: 'accessKey', accessKeyId: '${env:ABORT_READER_KEY}', secretAccessKey: '${env:ABORT_READER_SECRET}' } }),
    ...extra,
  });

  /** Runs job `inc`, which fails; returns its runKey. */
  const failingRun = async (cfg: ConnectorConfig): Promise<string> => withWorker(cfg, async (taskQueue) => {
    const handle = await t.client.workflow.start('incrementalSync', {
      taskQueue, workflowId: `incrementalSync/abort-blobs-${Date.now()}`, args: [{ job: 'inc', source: 'reader', dataset: 'ds', maxErrorRetries: 0 }],
    });
    await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
    const history = await handle.fetchHistory();
    expect(history.events!.filter((e) => e.activityTaskCompletedEventAttributes).length).toBeGreaterThan(0);
    const scheduled = history.events!.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(scheduled).toContain('syncAbortRun');
    return handle.firstExecutionRunId;
  });

  /** Blob paths the committed transactions of `ds` reference. */
  const committedBlobs = async (store: StoreBackend) => {
    const dataset = new Dataset(store, 'ds');
    const blobs = new Set<string>();
    for (const record of await dataset.transactions()) for (const e of await dataset.transactionFiles(record)) blobs.add(e.blob);
    return [...blobs].sort();
  };

  it('local store: removes the blobs only the failed run wrote, keeps the one it shares with a committed file, and removes a dead worker\'s incoming file', async () => {
    const storeRoot = mkdtempSync(join(tmpdir(), 'abort-blobs-store-'));
    const cfg = config({ datasetStore: storeRoot, sources: sources(), syncs });
    expect(await withWorker(cfg, (q) => runSyncJob(t.client, cfg, 'base', q))).toMatchObject({ transaction: 1, filesAdded: 2 });
    const blobsDir = join(storeRoot, 'ds', 'blobs');
    mkdirSync(blobsDir, { recursive: true });
    const dead = join(blobsDir, 'incoming.tmp-killed-worker');
    writeFileSync(dead, 'half a blob');
    const longAgo = (Date.now() - STALE_INCOMING_MS - 60_000) / 1000;
    utimesSync(dead, longAgo, longAgo);
    const runKey = await failingRun(cfg);
    const store = localBackend(storeRoot);
    const kept = await committedBlobs(store);
    expect(kept).toHaveLength(2);
    const files = readdirSync(blobsDir, { recursive: true, encoding: 'utf8' }).filter((n) => /[\\/]/.test(n)).map((n) => `ds/blobs/${n.replace(/\\/g, '/')}`).sort();
    expect(files).toEqual(kept);
    expect(existsSync(dead)).toBe(false);
    expect(readdirSync(blobsDir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    for (const dir of [['runs', runKey], ['manifests', runKey], ['index', 'inc', runKey]]) expect(existsSync(join(storeRoot, 'ds', ...dir))).toBe(false);
  });

  it('S3 store: removes every blob of the failed run (a name of its own per copy), the copy of shared bytes included', async () => {
    const storeBucket = await createBucket('abort-blobs-store');
    const cfg = config({ datasetStore: 'store', sources: sources({ store: minioSource(storeBucket, { url: `s3://${storeBucket}/lake/` }) }), syncs });
    expect(await withWorker(cfg, (q) => runSyncJob(t.client, cfg, 'base', q))).toMatchObject({ transaction: 1, filesAdded: 2 });
    const runKey = await failingRun(cfg);
    const store = s3Backend(createSourceRegistry(cfg).get('store'));
    const kept = await committedBlobs(store);
    expect(kept).toHaveLength(2);
    expect(await listKeys(storeBucket, 'lake/ds/blobs/')).toEqual(kept.map((b) => `lake/${b}`).sort());
    expect(await listKeys(storeBucket, `lake/ds/runs/${runKey}`)).toEqual([]);
    expect(await listKeys(storeBucket, `lake/ds/manifests/${runKey}`)).toEqual([]);
  });
});
