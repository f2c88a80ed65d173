import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createSourceRegistry } from '../../s3/source-registry';
import type { StoreBackend } from '../../datasets/backend';
import { listDatasets } from '../../datasets/catalog';
import { Dataset } from '../../datasets/dataset';
import { s3Backend } from '../../datasets/s3-backend';
import { runCliBytes } from '../harness/cli-bytes';
import { jsonLines } from '../harness/cli-output';
import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { adminS3, createBucket, putObjects } from '../harness/minio-admin';
import { runSyncJob, temporalClient } from '../harness/sync-runner';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const draft = (runKey: string) => ({ type: 'APPEND' as const, runKey, job: 'race', manifests: [], fileCount: 0, bytes: 0 });
const files: Record<string, string> = { 'landing/a.csv': 'a,1\n', 'landing/deep/b.csv': 'b,2\n', 'landing/c.json': '{"c":3}\n' };

describe('a dataset store inside an S3 source', () => {
  let dataBucket: string;
  let storeBucket: string;
  let t: Awaited<ReturnType<typeof temporalClient>>;
  const raw = () => ({
    datasetStore: 'store',
    sources: { src: minioSource(dataBucket), store: minioSource(storeBucket) },
    syncs: { land: { source: 'src', subfolder: 'landing/', dataset: 'landed', mode: 'bulk' } },
  });
  const backend = (): StoreBackend => s3Backend(createSourceRegistry(config(raw())).get('store'));

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
    dataBucket = await createBucket('dsrc');
    storeBucket = await createBucket('dstore');
    await putObjects(dataBucket, Object.entries(files).map(([key, body]) => ({ key, body })));
  });
  afterAll(() => t.close());

  it('lands a bulk import in the bucket and reads it back with the datasets command', async () => {
    const cfg = config(raw());
    expect(await withWorker(cfg, (q) => runSyncJob(t.client, cfg, 'land', q))).toMatchObject({ transaction: 1, filesAdded: 3 });
    const keys = ((await adminS3().send(new ListObjectsV2Command({ Bucket: storeBucket, Prefix: 'landed/' }))).Contents ?? []).map((o) => o.Key!);
    expect(keys).toContain('landed/transactions/000000000001.json');
    // Staging is removed after the commit; blobs are named by UUID on S3.
    expect(keys.filter((k) => k.startsWith('landed/runs/'))).toEqual([]);
    expect(keys.filter((k) => k.startsWith('landed/blobs/')).map((k) => k.slice('landed/blobs/'.length)))
      .toEqual(expect.arrayContaining([expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)]));

    const configFile = writeConfigFile(raw());
    const list = await runCli(['datasets', 'list', '--json', '--config', configFile], rootKeyEnv());
    expect(list.code).toBe(0);
    expect(jsonLines(list.stdout)).toEqual([{ dataset: 'landed', latestTransaction: 1, files: 3, bytes: 4 + 4 + 8 }]);
    const listed = await runCli(['datasets', 'files', 'landed', '--json', '--config', configFile], rootKeyEnv());
    expect(listed.code).toBe(0);
    expect(jsonLines(listed.stdout).map((f) => [f.path, f.size, f.sha256, (f.source as { bucket: string }).bucket]).sort())
      .toEqual(Object.entries(files).map(([path, body]) => [path, body.length, sha(body), dataBucket]).sort());
    const cat = await runCliBytes(['datasets', 'cat', 'landed', 'landing/deep/b.csv', '--config', configFile], rootKeyEnv());
    expect(cat.code).toBe(0);
    expect(cat.stdout.toString()).toBe('b,2\n');
  });

  it('refuses a second create of the same key with If-None-Match on MinIO, keeping the first content', async () => {
    const store = backend();
    expect(await store.createExclusive('probe/once.json', 'first')).toBe(true);
    expect(await store.createExclusive('probe/once.json', 'second')).toBe(false);
    const body = await adminS3().send(new GetObjectCommand({ Bucket: storeBucket, Key: 'probe/once.json' }));
    expect(await body.Body!.transformToString()).toBe('first');
  });

  it('lets exactly one of many simultaneous creates of one key win, and stores the winner\'s bytes', async () => {
    const store = backend();
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => store.createExclusive('probe/race.json', `writer-${i}`)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect((await store.read('probe/race.json'))!.toString()).toBe(`writer-${outcomes.indexOf(true)}`);
  });

  it('gives two commits racing on the same parent distinct ids, both records kept', async () => {
    const dataset = new Dataset(backend(), 'race2');
    const [a, b] = await Promise.all([dataset.commit(draft('run-a')), dataset.commit(draft('run-b'))]);
    expect([a!.id, b!.id].sort()).toEqual([1, 2]);
    expect((await dataset.transactions()).map((r) => [r.id, r.runKey]).sort()).toEqual([[a!.id, 'run-a'], [b!.id, 'run-b']].sort());
  });

  it('gives ten racing commits the ids 1 to 10 exactly once each', async () => {
    const dataset = new Dataset(backend(), 'race10');
    const records = await Promise.all(Array.from({ length: 10 }, (_, i) => dataset.commit(draft(`run-${i}`))));
    expect(records.map((r) => r.id).sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const stored = await dataset.transactions();
    expect(stored.map((r) => r.id)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(new Set(stored.map((r) => r.runKey)).size).toBe(10);
  });

  it('returns the earlier record when a commit is retried with the same runKey', async () => {
    const dataset = new Dataset(backend(), 'retried');
    const first = await dataset.commit(draft('run-1'));
    const again = await dataset.commit(draft('run-1'));
    expect(again).toEqual(first);
    expect((await dataset.transactions()).length).toBe(1);
  });

  it('finds datasets at the bucket root and below a prefix, ignoring folders without records', async () => {
    const bucket = await createBucket('dlist');
    const storeAt = (url: string) => s3Backend(createSourceRegistry(config({ sources: { s: minioSource(bucket, { url }) } })).get('s'));
    const root = storeAt(`s3://${bucket}/`);
    const nested = storeAt(`s3://${bucket}/team/datasets/`);
    await new Dataset(root, 'alpha').commit(draft('run-a'));
    await new Dataset(nested, 'inner').commit(draft('run-n'));
    await root.write('loose.txt', 'not a dataset');
    await root.write('unfinished/runs/r1/plan-000001.json', '{}');
    expect(await listDatasets(root)).toEqual(['alpha']);
    expect(await listDatasets(nested)).toEqual(['inner']);
  });
});
