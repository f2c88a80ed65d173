import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { adminS3, createBucket, putObjects } from '../harness/minio-admin';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { localDataset, runSyncJob, temporalClient } from '../harness/sync-runner';
import { COPY_PAGES_PER_PLAN } from '../../syncs/plan-page';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('bulk and incremental syncs', () => {
  let bucket: string;
  let storeRoot: string;
  let t: Awaited<ReturnType<typeof temporalClient>>;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
    bucket = await createBucket('sync');
    storeRoot = mkdtempSync(join(tmpdir(), 'store-'));
    await putObjects(bucket, Array.from({ length: 25 }, (_, i) => ({ key: `in/orders/${String(i).padStart(3, '0')}.csv`, body: `order ${i}\n` })));
    await putObjects(bucket, [{ key: 'in/orders/skip.tmp', body: 'x' }, { key: 'in/other/o.csv', body: 'o' }]);
  });
  afterAll(() => t.close());

  const cfg = () => config({
    datasetStore: storeRoot,
    sources: { src: minioSource(bucket, { url: `s3://${bucket}/in/`, matchSubfolderExactly: true }) },
    syncs: {
      full: { source: 'src', subfolder: 'orders/', dataset: 'orders_full', mode: 'bulk', filters: { exclude: ['**/*.tmp'] } },
      inc: { source: 'src', subfolder: 'orders/', dataset: 'orders_inc', mode: 'incremental', transaction: 'update', filters: { include: ['*.csv'] } },
    },
  });

  it('lands every matching object of a bulk import as one snapshot, each with its provenance and verified SHA-256', async () => {
    const result = await withWorker(cfg(), (q) => runSyncJob(t.client, cfg(), 'full', q));
    expect(result).toMatchObject({ status: 'completed', transaction: 1, transactionType: 'SNAPSHOT', filesAdded: 25, filesSkipped: 1 });
    const view = await localDataset(storeRoot, 'orders_full').view();
    expect([...view.keys()].sort()).toEqual(Array.from({ length: 25 }, (_, i) => `orders/${String(i).padStart(3, '0')}.csv`));
    const first = view.get('orders/007.csv')!;
    // putObjects uploads with the SDK's default CRC32 checksum, the cheapest check the copy can use.
    expect(first).toMatchObject({ sha256: sha('order 7\n'), size: 8, verifiedBy: 'crc32', transaction: 1,
      source: { bucket, key: 'in/orders/007.csv', etag: expect.stringMatching(/^"[0-9a-f]{32}"$/), lastModified: expect.any(String) } });
  });

  it('lands only new and changed objects on an incremental run, and nothing when nothing changed', async () => {
    const first = await withWorker(cfg(), (q) => runSyncJob(t.client, cfg(), 'inc', q));
    expect(first).toMatchObject({ transaction: 1, filesAdded: 25 });
    const s3 = adminS3();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/orders/003.csv', Body: 'order 3, corrected\n' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/orders/100.csv', Body: 'order 100\n' }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'in/orders/004.csv' }));
    const second = await withWorker(cfg(), (q) => runSyncJob(t.client, cfg(), 'inc', q));
    expect(second).toMatchObject({ transaction: 2, transactionType: 'UPDATE', filesAdded: 2 });
    const dataset = localDataset(storeRoot, 'orders_inc');
    const added = (await dataset.transactionFiles((await dataset.latest())!)).map((f) => f.path);
    expect(added).toEqual(['orders/003.csv', 'orders/100.csv']);
    const view = await dataset.view();
    expect(view.get('orders/003.csv')!.sha256).toBe(sha('order 3, corrected\n'));
    expect(view.has('orders/004.csv')).toBe(true);
    const third = await withWorker(cfg(), (q) => runSyncJob(t.client, cfg(), 'inc', q));
    expect(third).toMatchObject({ filesAdded: 0 });
    expect(third.transaction).toBeUndefined();
    expect((await dataset.transactions()).length).toBe(2);
  });

  it('lands each object exactly once across back-to-back runs, whatever LastModified second it shares with the last run', async () => {
    const raw = { datasetStore: storeRoot, sources: { src: minioSource(bucket) },
      syncs: { same: { source: 'src', subfolder: 'same/', dataset: 'same_second', mode: 'incremental' } } };
    const c = config(raw);
    const s3 = adminS3();
    const put = (k: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: `same/${k}`, Body: k }));
    await put('a');
    const first = await withWorker(c, (q) => runSyncJob(t.client, c, 'same', q));
    await put('b');
    const second = await withWorker(c, (q) => runSyncJob(t.client, c, 'same', q));
    await put('c');
    const third = await withWorker(c, (q) => runSyncJob(t.client, c, 'same', q));
    expect([first.filesAdded, second.filesAdded, third.filesAdded]).toEqual([1, 1, 1]);
    const view = await localDataset(storeRoot, 'same_second').view();
    expect([...view.keys()].sort()).toEqual(['same/a', 'same/b', 'same/c']);
  });

  it('plans a mostly unchanged incremental run in one activity across many listing pages, and keeps every index entry', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `paged/${String(i * 10).padStart(4, '0')}.csv`);
    await putObjects(bucket, keys.map((key) => ({ key, body: key })));
    const c = config({ datasetStore: storeRoot, sources: { src: minioSource(bucket) },
      syncs: { paged: { source: 'src', subfolder: 'paged/', dataset: 'paged', mode: 'incremental', transaction: 'update', pageSize: 10 } } });
    const planActivities = async (workflowId: string) => {
      const history = await t.client.workflow.getHandle(workflowId).fetchHistory();
      return (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'syncPlanPage').length;
    };
    const run = async (id: string) => withWorker(c, (q) => runSyncJob(t.client, c, 'paged', q, id));
    const ids = ['first', 'second', 'third'].map((n) => `incrementalSync/paged-${n}-${Date.now()}`);
    expect((await run(ids[0]!)).filesAdded).toBe(60);
    // Each plan of the first run stops once it holds COPY_PAGES_PER_PLAN pages (of 10) to copy.
    expect(await planActivities(ids[0]!)).toBe(Math.ceil(60 / (10 * COPY_PAGES_PER_PLAN)));
    const s3 = adminS3();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'paged/0255.csv', Body: 'between' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'paged/9999.csv', Body: 'last' }));
    expect((await run(ids[1]!)).filesAdded).toBe(2);
    // 62 keys in 7 listing pages, 2 to copy: one plan.
    expect(await planActivities(ids[1]!)).toBe(1);
    // The index kept all 62 keys: changing one lands exactly that one.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'paged/0300.csv', Body: 'changed' }));
    expect((await run(ids[2]!))).toMatchObject({ filesAdded: 1, transaction: 3 });
    const view = await localDataset(storeRoot, 'paged').view();
    expect(view.size).toBe(62);
    expect(view.get('paged/0300.csv')!.sha256).toBe(sha('changed'));
  });
});
