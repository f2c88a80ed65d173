import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../config/load';
import type { StoreBackend } from '../../datasets/backend';
import { Dataset } from '../../datasets/dataset';
import { toJsonLines } from '../../datasets/jsonl';
import { localBackend } from '../../datasets/local-backend';
import type { FileEntry } from '../../datasets/types';
import type { JobDeps } from '../../jobs/deps';
import { abortTableSync, commitTableSync, CursorMovedError } from '../../pipelines/finish';
import { tableRunPaths } from '../../pipelines/run-files';
import type { TableSyncPlan } from '../../pipelines/table-plan';

const { config } = parseConfig({
  sources: { a: { url: 's3://bucket-a/', endpoint: 'http://127.0.0.1:9000', credentials: { type: 'cloudIdentity' } } },
  virtualTables: { orders: { source: 'a', format: 'delta', location: 'orders/' } },
  tableSyncs: { job: { table: 'orders', dataset: 'ds' } },
});

describe('committing and aborting a table sync run', () => {
  let root: string;
  let store: StoreBackend;
  let deps: JobDeps;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'table-sync-commit-'));
    store = localBackend(root);
    deps = { config, store, sources: undefined as never, concurrency: undefined as never };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Stages a planned and written run: its plan summary, one manifest part, and the blob it lists. */
  async function stage(runKey: string, plan: Partial<TableSyncPlan> = {}): Promise<string> {
    const paths = tableRunPaths('ds', 'job', runKey);
    const summary: TableSyncPlan = { table: 'orders', format: 'delta', transaction: 'APPEND', nothingNew: false, baseVersion: 3, fromVersion: 4, toVersion: 6, tableId: 't1', commits: 3, pages: 1, files: 1, bytes: 10, ...plan };
    await store.write(paths.summary, JSON.stringify(summary));
    const blob = `ds/blobs/${runKey}-blob`;
    mkdirSync(join(root, 'ds', 'blobs'), { recursive: true });
    writeFileSync(join(root, blob), 'parquet bytes');
    const entry: FileEntry = {
      path: `v00000000000000000004/a-00000.parquet`, size: 13, sha256: 'x', blob, verifiedBy: 'written',
      source: { bucket: 'bucket-a', key: 'orders/a.parquet', etag: '', size: 99, lastModified: '2026-01-01T00:00:00.000Z' },
      table: { name: 'orders', version: 4, file: 'a.parquet', chunk: 0, rows: 7 },
    };
    await store.write(paths.progress(1), toJsonLines([entry]));
    await store.write(paths.manifest(1), toJsonLines([entry]));
    return blob;
  }
  /** A committed earlier run of the job, landing through `version`. */
  const landed = (runKey: string, version: number) => new Dataset(store, 'ds').commit({
    type: 'SNAPSHOT', runKey, job: 'job', manifests: [], fileCount: 0, bytes: 0, tableCursor: { job: 'job', table: 'orders', version, tableId: 't1' },
  });

  it('commits the files and the cursor in one record, and a retried commit (a lost reply) returns that record', async () => {
    await landed('first', 3);
    await stage('run');
    const committed = await commitTableSync(deps, { job: 'job', runKey: 'run' });
    expect(committed).toEqual({ transaction: 2, type: 'APPEND', files: 1, bytes: 13, rows: 7 });
    expect(await commitTableSync(deps, { job: 'job', runKey: 'run' })).toEqual(committed);
    const records = await new Dataset(store, 'ds').transactions();
    expect(records.map((r) => [r.id, r.type, r.tableCursor])).toEqual([
      [1, 'SNAPSHOT', { job: 'job', table: 'orders', version: 3, tableId: 't1' }],
      [2, 'APPEND', { job: 'job', table: 'orders', version: 6, tableId: 't1' }],
    ]);
    expect(existsSync(join(root, 'ds', 'runs', 'run'))).toBe(false);
  });

  it('refuses to commit when another run moved the cursor after this one planned, so no row lands twice', async () => {
    await landed('first', 3);
    await landed('other', 6);
    await stage('run');
    await expect(commitTableSync(deps, { job: 'job', runKey: 'run' })).rejects.toThrow(CursorMovedError);
    expect((await new Dataset(store, 'ds').transactions()).length).toBe(2);
  });

  it('commits nothing when the plan found nothing new', async () => {
    await landed('first', 3);
    await stage('run', { nothingNew: true, pages: 0 });
    expect(await commitTableSync(deps, { job: 'job', runKey: 'run' })).toEqual({ files: 0, bytes: 0, rows: 0 });
    expect((await new Dataset(store, 'ds').transactions()).length).toBe(1);
  });

  it('removes an uncommitted run\'s blobs, manifests and staging, and leaves a committed one\'s alone', async () => {
    const blob = await stage('failed');
    expect(await abortTableSync(deps, { job: 'job', runKey: 'failed' })).toEqual({ committed: false, blobs: { removed: 1, kept: 0 } });
    expect(existsSync(join(root, blob))).toBe(false);
    expect(existsSync(join(root, 'ds', 'manifests', 'failed'))).toBe(false);
    expect(existsSync(join(root, 'ds', 'runs', 'failed'))).toBe(false);

    const kept = await stage('lost-reply', { baseVersion: undefined });
    await commitTableSync(deps, { job: 'job', runKey: 'lost-reply' });
    expect(await abortTableSync(deps, { job: 'job', runKey: 'lost-reply' })).toEqual({ committed: true });
    expect(existsSync(join(root, kept))).toBe(true);
  });
});
