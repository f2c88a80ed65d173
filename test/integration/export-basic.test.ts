import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { jsonLines } from '../harness/cli-output';
import { listKeys, objectSha256, runExportJob } from '../harness/export-runner';
import { adminS3, createBucket, putObjects } from '../harness/minio-admin';
import { runSyncJob, temporalClient } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('file exports', () => {
  let inBucket: string;
  let outBucket: string;
  let storeRoot: string;
  let t: Awaited<ReturnType<typeof temporalClient>>;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
    [inBucket, outBucket] = await Promise.all([createBucket('exp-in'), createBucket('exp-out')]);
    storeRoot = mkdtempSync(join(tmpdir(), 'exp-store-'));
    await putObjects(inBucket, Array.from({ length: 3 }, (_, i) => ({ key: `orders/${i}.csv`, body: `id\n${i}\n` })));
  });
  afterAll(() => t.close());

  const raw = (exportsBlock: Record<string, object>, out: Record<string, unknown> = {}) => ({
    datasetStore: storeRoot,
    sources: { src: minioSource(inBucket), out: minioSource(outBucket, { url: `s3://${outBucket}/partner/`, exports: { enabled: true }, ...out }) },
    syncs: { inc: { source: 'src', dataset: 'orders', mode: 'incremental' } },
    exports: exportsBlock,
  });

  it('exports the current view with `export JOB --wait --json`, each object holding the dataset file\'s bytes', async () => {
    const r = raw({ full: { dataset: 'orders', source: 'out', pathPrefix: 'deliveries/', cannedAcl: 'bucket-owner-full-control' } });
    const cfg = config(r);
    const result = await withWorker(cfg, async (q) => {
      await runSyncJob(t.client, cfg, 'inc', q);
      return runCli(['export', 'full', '--wait', '--json', '--config', writeConfigFile(r), '--address', testEnv().temporalAddress, '--task-queue', q]);
    });
    expect(result.code).toBe(0);
    const summary = jsonLines(result.stdout).at(-1);
    expect(summary).toMatchObject({
      workflowId: 'fileExport/full', runId: expect.any(String), status: 'completed', mode: 'full', target: `s3://${outBucket}/partner/deliveries/`,
      filesExported: 3, bytes: 15, fromTransaction: 0, throughTransaction: 1, summary: expect.stringContaining('exported 3 file(s)'),
    });
    expect(await listKeys(outBucket)).toEqual(['partner/deliveries/orders/0.csv', 'partner/deliveries/orders/1.csv', 'partner/deliveries/orders/2.csv']);
    expect(await objectSha256(outBucket, 'partner/deliveries/orders/1.csv')).toBe(sha('id\n1\n'));
  });

  it('exports only transactions not yet exported in incremental mode, and succeeds with nothing new to export', async () => {
    const cfg = config(raw({ delta: { dataset: 'orders', source: 'out', pathPrefix: 'inc', mode: 'incremental' } }));
    await withWorker(cfg, async (q) => {
      const first = await runExportJob(t.client, cfg, 'delta', q);
      expect(first).toMatchObject({ mode: 'incremental', filesExported: 3, fromTransaction: 0, throughTransaction: 1 });
      const again = await runExportJob(t.client, cfg, 'delta', q);
      expect(again).toMatchObject({ status: 'completed', filesExported: 0, bytes: 0, fromTransaction: 1, throughTransaction: 1 });
      expect(again.summary).toBe(`nothing new to export: transactions up to 1 were already exported to s3://${outBucket}/partner/inc/`);
      // Clear the target: what the next run writes is then exactly what it exported.
      const keys = await listKeys(outBucket, 'partner/inc/');
      await adminS3().send(new DeleteObjectsCommand({ Bucket: outBucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
      await adminS3().send(new PutObjectCommand({ Bucket: inBucket, Key: 'orders/9.csv', Body: 'id\n9\n' }));
      expect(await runSyncJob(t.client, cfg, 'inc', q)).toMatchObject({ transaction: 2, filesAdded: 1 });
      const third = await runExportJob(t.client, cfg, 'delta', q);
      expect(third).toMatchObject({ filesExported: 1, bytes: 5, fromTransaction: 1, throughTransaction: 2, summary: expect.stringContaining('of transaction 2') });
    });
    expect(await listKeys(outBucket, 'partner/inc/')).toEqual(['partner/inc/orders/9.csv']);
    expect(await objectSha256(outBucket, 'partner/inc/orders/9.csv')).toBe(sha('id\n9\n'));
  });

  it('lays keys out as <url path>/<pathPrefix>/<file path> with exactly one slash between parts, whatever the trailing slashes', async () => {
    const cases: Array<{ url: string; pathPrefix?: string; key: string }> = [
      { url: `s3://${outBucket}/layout-a/`, pathPrefix: 'p/', key: 'layout-a/p/orders/0.csv' },
      { url: `s3://${outBucket}/layout-b`, pathPrefix: 'p', key: 'layout-b/p/orders/0.csv' },
      { url: `s3://${outBucket}/layout-c/`, key: 'layout-c/orders/0.csv' },
      { url: `s3://${outBucket}/layout-d`, pathPrefix: '', key: 'layout-d/orders/0.csv' },
      { url: `s3://${outBucket}/`, pathPrefix: 'layout-e//deep/', key: 'layout-e/deep/orders/0.csv' },
      { url: `s3://${outBucket}`, pathPrefix: 'layout-f', key: 'layout-f/orders/0.csv' },
    ];
    const r = raw({});
    cases.forEach((c, i) => {
      (r.sources as Record<string, object>)[`t${i}`] = minioSource(outBucket, { url: c.url, exports: { enabled: true } });
      (r.exports as Record<string, object>)[`e${i}`] = { dataset: 'orders', source: `t${i}`, ...(c.pathPrefix === undefined ? {} : { pathPrefix: c.pathPrefix }) };
    });
    const cfg = config(r);
    await withWorker(cfg, (q) => Promise.all(cases.map((_, i) => runExportJob(t.client, cfg, `e${i}`, q))));
    const keys = await listKeys(outBucket, 'layout-');
    for (const c of cases) expect(keys).toContain(c.key);
    expect(keys.filter((k) => k.includes('//'))).toEqual([]);
    expect(keys.filter((k) => k.endsWith('/orders/0.csv')).length).toBe(cases.length);
  });

  it('refuses an export to a source without exports enabled, and a public ACL not explicitly allowed, even when the config bypassed validation', async () => {
    const cfg = config(raw({ bad: { dataset: 'orders', source: 'out', pathPrefix: 'refused/' } }));
    cfg.sources.out!.exports.enabled = false; // as if the schema check had been bypassed
    await withWorker(cfg, (q) => expect(runExportJob(t.client, cfg, 'bad', q)).rejects.toMatchObject({
      cause: { cause: { message: expect.stringContaining('source "out" does not allow exports. Fix: set sources.out.exports.enabled: true') } },
    }));
    const pub = config(raw({ bad: { dataset: 'orders', source: 'out', pathPrefix: 'refused/' } }));
    pub.exports.bad!.cannedAcl = 'public-read';
    await withWorker(pub, (q) => expect(runExportJob(t.client, pub, 'bad', q)).rejects.toMatchObject({
      cause: { cause: { message: expect.stringContaining('cannedAcl public-read makes exported files public') } },
    }));
    expect(await listKeys(outBucket, 'partner/refused/')).toEqual([]);
    // The config file itself is refused at load, naming the field.
    const file = writeConfigFile({ ...raw({ bad: { dataset: 'orders', source: 'src' } }) });
    const cli = await runCli(['export', 'bad', '--config', file, '--address', testEnv().temporalAddress]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('exports.bad.source');
  });
});
