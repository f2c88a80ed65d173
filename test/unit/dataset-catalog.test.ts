import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { StoreBackend } from '../../datasets/backend';
import { findFile, findTransaction, listDatasets, openDataset, summarize, viewEntries, type ViewEntry } from '../../datasets/catalog';
import { Dataset } from '../../datasets/dataset';
import { toJsonLines } from '../../datasets/jsonl';
import { localBackend } from '../../datasets/local-backend';
import type { FileEntry, TransactionType } from '../../datasets/types';
import { tempDir } from '../harness/temp-dir';

/** Lands `files` (path -> content) as one transaction the way a sync does: blobs, a manifest part, a record. */
async function land(store: StoreBackend, dataset: string, type: TransactionType, files: Record<string, string>, extra: Partial<FileEntry> = {}) {
  const runKey = `run-${Math.random().toString(36).slice(2)}`;
  const entries: FileEntry[] = [];
  for (const [path, content] of Object.entries(files)) {
    const blob = await store.ingest(`${dataset}/blobs`, Readable.from([Buffer.from(content)]));
    entries.push({ path, size: blob.size, sha256: blob.sha256, blob: blob.path, verifiedBy: 'md5-etag',
      source: { bucket: 'b', key: `in/${path}`, etag: `"${blob.md5}"`, size: blob.size, lastModified: '2026-01-01T00:00:00.000Z' }, ...extra });
  }
  const manifest = `${dataset}/manifests/${runKey}/part-000001.jsonl`;
  await store.write(manifest, toJsonLines(entries));
  return new Dataset(store, dataset).commit({ type, runKey, job: 'unit', manifests: entries.length ? [manifest] : [], fileCount: entries.length,
    bytes: entries.reduce((n, e) => n + e.size, 0) });
}

async function collect(batches: AsyncIterable<ViewEntry[]>): Promise<Record<string, [number, string]>> {
  const out: Record<string, [number, string]> = {};
  for await (const batch of batches) for (const e of batch) out[e.path] = [e.transaction, e.sha256];
  return out;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('reading a dataset store as a catalog', () => {
  let root: string;
  let store: StoreBackend;
  beforeAll(async () => {
    root = tempDir('catalog-');
    store = localBackend(root);
    await land(store, 'orders', 'SNAPSHOT', { 'a.csv': 'a1', 'b.csv': 'b1' });
    await land(store, 'orders', 'UPDATE', { 'b.csv': 'b2', 'c.csv': 'c2' });
    await land(store, 'orders', 'APPEND', { 'd.csv': 'd3' });
    await land(store, 'reset', 'SNAPSHOT', { 'old.csv': 'old' });
    await land(store, 'reset', 'APPEND', { 'older.csv': 'older' });
    await land(store, 'reset', 'SNAPSHOT', { 'new.csv': 'new' });
    await land(store, 'images', 'APPEND', { 'x.png': 'png1', 'y.png': 'png2' }, { mediaType: 'image/png', metadata: { width: 1 } });
    await land(store, 'images', 'APPEND', { 'z.pdf': 'pdf' }, { mediaType: 'application/pdf' });
    // Not datasets: a run that never committed, a stray file, an empty folder.
    await store.write('staging_only/runs/r1/plan-000001.json', '{}');
    writeFileSync(join(root, 'README.txt'), 'not a dataset');
    mkdirSync(join(root, 'empty'));
  });

  it('lists the folders holding committed transactions, and nothing else', async () => {
    expect(await listDatasets(store)).toEqual(['images', 'orders', 'reset']);
  });

  it('replays the view from the last snapshot, later entries replacing earlier ones per path', async () => {
    const orders = await collect(viewEntries(new Dataset(store, 'orders')));
    expect(orders).toEqual({ 'a.csv': [1, sha('a1')], 'b.csv': [2, sha('b2')], 'c.csv': [2, sha('c2')], 'd.csv': [3, sha('d3')] });
    expect(await collect(viewEntries(new Dataset(store, 'reset')))).toEqual({ 'new.csv': [3, sha('new')] });
  });

  it('agrees with Dataset.view() on every dataset', async () => {
    for (const name of ['orders', 'reset', 'images']) {
      const dataset = new Dataset(store, name);
      const streamed = await collect(viewEntries(dataset));
      const whole = Object.fromEntries([...(await dataset.view()).values()].map((e) => [e.path, [e.transaction, e.sha256]]));
      expect(streamed).toEqual(whole);
    }
  });

  it('totals the current view, counting files per media type', async () => {
    expect(await summarize(new Dataset(store, 'orders'))).toMatchObject({ transactions: 3, files: 4, bytes: 8, latest: { id: 3, type: 'APPEND' }, mediaTypes: {} });
    expect(await summarize(new Dataset(store, 'images'))).toMatchObject({ files: 3, bytes: 11, mediaTypes: { 'image/png': 2, 'application/pdf': 1 } });
    expect(await summarize(new Dataset(store, 'reset'), { exact: false })).toMatchObject({ transactions: 3, files: 1, bytes: 3 });
  });

  it('finds the current entry of a path, and names the dataset size when the path is absent', async () => {
    const dataset = new Dataset(store, 'orders');
    expect(await findFile(dataset, 'b.csv')).toMatchObject({ transaction: 2, sha256: sha('b2') });
    await expect(findFile(new Dataset(store, 'reset'), 'old.csv')).rejects.toThrow('path "old.csv" not found in the current view of dataset reset (1 file)');
  });

  it('refuses unknown datasets and transactions with a message naming what exists', async () => {
    await expect(openDataset(store, 'nope')).rejects.toThrow(`dataset "nope" not found in ${root}; datasets: images, orders, reset.`);
    await expect(openDataset(store, '../orders')).rejects.toThrow('datasets: images, orders, reset');
    await expect(findTransaction(new Dataset(store, 'orders'), 7)).rejects.toThrow('dataset orders has no transaction 7; its transactions are 1..3.');
  });

  it('stores identical bytes once on a local folder, at a path named by their SHA-256', async () => {
    const blob = await store.ingest('orders/blobs', Readable.from([Buffer.from('a1')]));
    expect(blob.path).toBe(`orders/blobs/${sha('a1').slice(0, 2)}/${sha('a1')}`);
    expect((await findFile(new Dataset(store, 'orders'), 'a.csv')).blob).toBe(blob.path);
  });
});
