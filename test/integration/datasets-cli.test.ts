import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { runCliBytes } from '../harness/cli-bytes';
import { jsonLines } from '../harness/cli-output';
import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { adminS3, createBucket, putObjects } from '../harness/minio-admin';
import { localDataset, runSyncJob, temporalClient } from '../harness/sync-runner';

const sha = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');

/** What was uploaded, by path below the job's subfolder. */
const JAN = 'orders/2026/01.csv';
const FEB = 'orders/2026/02.csv';
const FEB_FIXED = Buffer.from('id,total\n2,22\n');
const uploaded: Record<string, Buffer> = {
  [JAN]: Buffer.from('id,total\n1,10\n'),
  [FEB]: Buffer.from('id,total\n2,20\n3,30\n'),
  'orders/blob.bin': randomBytes(1024 * 1024 + 17),
  'orders/ünïcode name.csv': Buffer.from('id\n4\n'),
};

describe('the datasets command reading what a sync landed in a local folder', () => {
  let bucket: string;
  let storeRoot: string;
  let configFile: string;
  let t: Awaited<ReturnType<typeof temporalClient>>;
  const asUploaded: Record<string, { etag: string; lastModified: string; versionId: string | null }> = {};
  const raw = () => ({
    datasetStore: storeRoot,
    sources: { src: minioSource(bucket) },
    syncs: {
      bulk: { source: 'src', subfolder: 'orders/', dataset: 'orders', mode: 'bulk' },
      inc: { source: 'src', subfolder: 'orders/2026/', dataset: 'monthly', mode: 'incremental', transaction: 'update' },
      victim: { source: 'src', subfolder: 'victim/', dataset: 'victim', mode: 'bulk' },
    },
  });
  const cli = (...args: string[]) => runCli(['datasets', ...args, '--config', configFile]);
  const cat = (...args: string[]) => runCliBytes(['datasets', 'cat', ...args, '--config', configFile]);

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
    bucket = await createBucket('dscli');
    storeRoot = mkdtempSync(join(tmpdir(), 'dsstore-'));
    configFile = writeConfigFile(raw());
    await putObjects(bucket, [...Object.entries(uploaded).map(([key, body]) => ({ key, body })), { key: 'victim/v.txt', body: 'the real bytes\n' }]);
    // Provenance as the bucket reports it before the first sync (the listing has LastModified to the millisecond).
    const s3 = adminS3();
    for (const o of (await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'orders/' }))).Contents ?? []) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: o.Key! }));
      asUploaded[o.Key!] = { etag: head.ETag!, lastModified: o.LastModified!.toISOString(), versionId: head.VersionId ?? null };
    }
    const cfg = config(raw());
    await withWorker(cfg, async (q) => {
      expect(await runSyncJob(t.client, cfg, 'bulk', q)).toMatchObject({ transaction: 1, filesAdded: 4 });
      expect(await runSyncJob(t.client, cfg, 'inc', q)).toMatchObject({ transaction: 1, filesAdded: 2 });
      await adminS3().send(new PutObjectCommand({ Bucket: bucket, Key: FEB, Body: FEB_FIXED }));
      expect(await runSyncJob(t.client, cfg, 'inc', q)).toMatchObject({ transaction: 2, filesAdded: 1 });
      expect(await runSyncJob(t.client, cfg, 'victim', q)).toMatchObject({ transaction: 1, filesAdded: 1 });
    });
  });
  afterAll(() => t.close());

  it('lists each dataset with its latest transaction, file count and bytes', async () => {
    const result = await cli('list', '--json');
    expect(result.code).toBe(0);
    const bytes = Object.values(uploaded).reduce((n, b) => n + b.length, 0);
    expect(jsonLines(result.stdout)).toEqual([
      { dataset: 'monthly', latestTransaction: 2, files: 2, bytes: uploaded[JAN]!.length + FEB_FIXED.length },
      { dataset: 'orders', latestTransaction: 1, files: 4, bytes },
      { dataset: 'victim', latestTransaction: 1, files: 1, bytes: 15 },
    ]);
  });

  it('shows a dataset\'s latest transaction, transaction count, files and bytes', async () => {
    const result = await cli('show', 'monthly', '--json');
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([{
      dataset: 'monthly', store: storeRoot, transactions: 2, files: 2, bytes: uploaded[JAN]!.length + FEB_FIXED.length, mediaTypes: {},
      latestTransaction: { id: 2, type: 'UPDATE', committedAt: expect.any(String), job: 'inc', runKey: expect.any(String), fileCount: 1, bytes: FEB_FIXED.length },
    }]);
    const human = await cli('show', 'monthly');
    expect(human.stdout).toContain('latest transaction  2 UPDATE at');
    expect(human.stdout).toMatch(new RegExp(`transactions +2\\n +files +2\\n +bytes +${uploaded[JAN]!.length + FEB_FIXED.length}\\n`));
  });

  it('prints one line per transaction, oldest first', async () => {
    const result = await cli('transactions', 'monthly', '--json');
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines.map((l) => [l.id, l.type, l.job, l.fileCount, l.bytes])).toEqual([[1, 'UPDATE', 'inc', 2, uploaded[JAN]!.length + uploaded[FEB]!.length], [2, 'UPDATE', 'inc', 1, FEB_FIXED.length]]);
    for (const line of lines) expect(line.committedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const human = await cli('transactions', 'monthly');
    expect(human.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('lists every file with its size, the SHA-256 of what was uploaded and where it came from', async () => {
    const result = await cli('files', 'orders', '--json');
    expect(result.code).toBe(0);
    const files = jsonLines(result.stdout);
    expect(files.map((f) => f.path).sort()).toEqual(Object.keys(uploaded).sort());
    for (const [key, body] of Object.entries(uploaded)) {
      const { etag, lastModified, versionId } = asUploaded[key]!;
      expect(files.find((f) => f.path === key)).toEqual({
        path: key, size: body.length, sha256: sha(body), transaction: 1,
        source: { bucket, key, etag, versionId, lastModified },
      });
    }
  });

  it('lists the current view across transactions, and only a transaction\'s own files with --transaction', async () => {
    const view = jsonLines((await cli('files', 'monthly', '--json')).stdout).map((f) => [f.path, f.transaction, f.sha256]);
    expect(view.sort()).toEqual([[JAN, 1, sha(uploaded[JAN]!)], [FEB, 2, sha(FEB_FIXED)]]);
    const first = jsonLines((await cli('files', 'monthly', '--transaction', '1', '--json')).stdout).map((f) => [f.path, f.sha256]);
    expect(first.sort()).toEqual([[JAN, sha(uploaded[JAN]!)], [FEB, sha(uploaded[FEB]!)]]);
    const missing = await cli('files', 'monthly', '--transaction', '9');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('dataset monthly has no transaction 9; its transactions are 1..2.');
  });

  it('writes exactly the uploaded bytes with cat, for text, binary and non-ASCII paths', async () => {
    for (const [path, body] of Object.entries(uploaded)) {
      const result = await cat('orders', path);
      expect(result.code).toBe(0);
      expect(sha(result.stdout)).toBe(sha(body));
      expect(result.stdout.length).toBe(body.length);
    }
    const updated = await cat('monthly', 'orders/2026/02.csv');
    expect(updated.stdout).toEqual(FEB_FIXED);
  });

  it('fails cat with exit 1 naming the path and both hashes when the stored blob was tampered with', async () => {
    const [entry] = jsonLines<{ sha256: string }>((await cli('files', 'victim', '--json')).stdout);
    const blob = (await localDataset(storeRoot, 'victim').view()).get('victim/v.txt')!.blob;
    writeFileSync(join(storeRoot, ...blob.split('/')), 'forged bytes!!\n');
    const result = await cat('victim', 'victim/v.txt');
    expect(result.code).toBe(1);
    expect(result.stdout.toString()).toBe('forged bytes!!\n');
    expect(result.stderr).toContain('victim/v.txt in dataset victim');
    expect(result.stderr).toContain(`SHA-256 recorded ${entry!.sha256}, read ${sha('forged bytes!!\n')}`);
  });

  it('exits 2 naming the datasets that exist when the dataset is unknown, and the way to list files when the path is', async () => {
    const dataset = await cli('show', 'nope');
    expect(dataset.code).toBe(2);
    expect(dataset.stderr).toContain(`dataset "nope" not found in ${storeRoot}; datasets: monthly, orders, victim.`);
    const path = await cli('cat', 'orders', 'orders/none.csv');
    expect(path.code).toBe(2);
    expect(path.stderr).toContain('path "orders/none.csv" not found in the current view of dataset orders (4 files); list them with: s3-connector datasets files orders');
  });
});
