import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Dataset } from '../../datasets/dataset';
import { localBackend } from '../../datasets/local-backend';
import { tempDir } from '../harness/temp-dir';

const freshStore = () => tempDir('commit-');
const draft = (runKey: string) => ({ type: 'APPEND' as const, runKey, job: 'unit', manifests: [], fileCount: 0, bytes: 0 });

describe('atomic commits on a local dataset store', () => {
  it('gives 20 concurrent commits the ids 1 to 20 exactly once each', async () => {
    const root = freshStore();
    const dataset = new Dataset(localBackend(root), 'race');
    const records = await Promise.all(Array.from({ length: 20 }, (_, i) => dataset.commit(draft(`run-${i}`))));
    expect(records.map((r) => r.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const files = readdirSync(join(root, 'race', 'transactions')).sort();
    expect(files).toEqual(Array.from({ length: 20 }, (_, i) => `${String(i + 1).padStart(12, '0')}.json`));
    // Each record on disk is the one its committer was told about.
    for (const record of records) {
      const onDisk = JSON.parse(readFileSync(join(root, 'race', 'transactions', `${String(record.id).padStart(12, '0')}.json`), 'utf8'));
      expect(onDisk).toEqual(record);
    }
    expect(new Set(records.map((r) => r.runKey)).size).toBe(20);
  });

  it('refuses to create a record that already exists and leaves the first one untouched', async () => {
    const root = freshStore();
    const backend = localBackend(root);
    expect(await backend.createExclusive('d/transactions/000000000001.json', 'first')).toBe(true);
    expect(await backend.createExclusive('d/transactions/000000000001.json', 'second')).toBe(false);
    expect(readFileSync(join(root, 'd', 'transactions', '000000000001.json'), 'utf8')).toBe('first');
    // No temporary file is left next to the record.
    expect(readdirSync(join(root, 'd', 'transactions'))).toEqual(['000000000001.json']);
  });

  it('returns the earlier record when a commit is retried with the same runKey, committing nothing new', async () => {
    const dataset = new Dataset(localBackend(freshStore()), 'retry');
    const first = await dataset.commit(draft('run-a'));
    await dataset.commit(draft('run-b'));
    const retried = await dataset.commit({ ...draft('run-a'), fileCount: 99 });
    expect(retried).toEqual(first);
    expect((await dataset.transactions()).map((r) => [r.id, r.runKey])).toEqual([[1, 'run-a'], [2, 'run-b']]);
  });

  it('commits one transaction when the same run commits several times at once', async () => {
    const dataset = new Dataset(localBackend(freshStore()), 'dup');
    const records = await Promise.all(Array.from({ length: 8 }, () => dataset.commit(draft('same-run'))));
    expect(new Set(records.map((r) => r.id))).toEqual(new Set([1]));
    expect((await dataset.transactions()).length).toBe(1);
  });
});
