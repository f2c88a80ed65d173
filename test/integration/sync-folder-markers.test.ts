import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { createBucket, putObjects } from '../harness/minio-admin';
import { localDataset, runSyncJob, temporalClient } from '../harness/sync-runner';

/** Every line of a run's skipped reports. */
function skippedReport(storeRoot: string, dataset: string, runKey: string): Array<{ key: string; reason: string }> {
  const dir = join(storeRoot, dataset, 'reports', runKey);
  return readdirSync(dir).sort().flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { key: string; reason: string }));
}

describe('folder markers in a sync', () => {
  let bucket: string;
  let storeRoot: string;
  let t: Awaited<ReturnType<typeof temporalClient>>;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
    bucket = await createBucket('markers');
    storeRoot = mkdtempSync(join(tmpdir(), 'markers-store-'));
    await putObjects(bucket, [
      { key: 'in/', body: '' },
      { key: 'in/a.csv', body: 'a' },
      { key: 'in/empty/', body: '' },
      { key: 'in/empty/b.csv', body: 'b' },
      // A "folder" created by a tool that wrote bytes into the marker: data the dataset cannot hold as a file.
      { key: 'in/full/', body: 'not empty\n' },
      { key: 'in/full/c.csv', body: 'c' },
    ]);
  });
  afterAll(() => t.close());

  const cfg = () => config({
    datasetStore: storeRoot,
    sources: { src: minioSource(bucket) },
    syncs: {
      bulk: { source: 'src', subfolder: 'in/', dataset: 'markers_bulk', mode: 'bulk' },
      inc: { source: 'src', subfolder: 'in/', dataset: 'markers_inc', mode: 'incremental', pageSize: 2 },
    },
  });
  const reason = 'folder marker holding 10 bytes: a key ending in "/" cannot be a file path in the dataset; rename the object without the trailing "/" to land it';

  it('reports a folder marker holding bytes as skipped, with the reason, and counts it; empty markers are not data and are neither', async () => {
    const result = await withWorker(cfg(), (q) => runSyncJob(t.client, cfg(), 'bulk', q));
    expect(result).toMatchObject({ status: 'completed', transaction: 1, filesAdded: 3, filesSkipped: 1 });
    expect(skippedReport(storeRoot, 'markers_bulk', result.runKey)).toEqual([{ key: 'in/full/', reason }]);
    const view = await localDataset(storeRoot, 'markers_bulk').view();
    expect([...view.keys()].sort()).toEqual(['in/a.csv', 'in/empty/b.csv', 'in/full/c.csv']);
  });

  it('does the same on every incremental run until the object is renamed, over pages of two keys', async () => {
    const first = await withWorker(cfg(), (q) => runSyncJob(t.client, cfg(), 'inc', q));
    expect(first).toMatchObject({ transaction: 1, filesAdded: 3, filesSkipped: 1 });
    expect(skippedReport(storeRoot, 'markers_inc', first.runKey)).toEqual([{ key: 'in/full/', reason }]);
    const again = await withWorker(cfg(), (q) => runSyncJob(t.client, cfg(), 'inc', q));
    expect(again).toMatchObject({ filesAdded: 0, filesSkipped: 1 });
    expect(again.transaction).toBeUndefined();
    expect(skippedReport(storeRoot, 'markers_inc', again.runKey)).toEqual([{ key: 'in/full/', reason }]);
  });
});
