import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreBackend } from '../../datasets/backend';
import { blobPath } from '../../datasets/blob-path';
import { Dataset } from '../../datasets/dataset';
import { toJsonLines } from '../../datasets/jsonl';
import { localBackend } from '../../datasets/local-backend';
import { LIVE_STAGING_MS, removeRunBlobs } from '../../syncs/run-blobs';
import { runPaths } from '../../syncs/run-paths';

const DS = 'ds';
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('removing the blobs of an aborted run', () => {
  let root: string;
  let store: StoreBackend;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'run-blobs-'));
    store = localBackend(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Writes a content-addressed blob holding `text` and returns its store path. */
  const blob = (text: string) => {
    const path = blobPath(`${DS}/blobs`, sha(text));
    mkdirSync(join(root, ...path.split('/').slice(0, -1)), { recursive: true });
    writeFileSync(join(root, ...path.split('/')), text);
    return path;
  };
  const entry = (path: string, blobPathOf: string) => ({ path, size: 1, sha256: 'x', blob: blobPathOf, verifiedBy: 'size-only', source: { bucket: 'b', key: path, etag: '"e"', size: 1, lastModified: '2026-01-01T00:00:00.000Z' } });
  const present = (path: string) => existsSync(join(root, ...path.split('/')));
  const blobFiles = () => readdirSync(join(root, DS, 'blobs'), { recursive: true, encoding: 'utf8' }).filter((n) => n.includes('/') || n.includes('\\'));

  /** Commits a run whose manifest lists `blobs`. */
  const commit = async (runKey: string, blobs: string[]) => {
    const manifest = runPaths(DS, 'job', runKey).manifest(1);
    await store.write(manifest, toJsonLines(blobs.map((b, i) => entry(`c${i}`, b))));
    return new Dataset(store, DS).commit({ type: 'APPEND', runKey, manifests: [manifest], fileCount: blobs.length, bytes: blobs.length });
  };
  /** Stages an aborted run: a finished page (progress and manifest) and a page cut short (progress only). */
  const stage = async (runKey: string, page1: string[], page2: string[]) => {
    const paths = runPaths(DS, 'job', runKey);
    await store.write(paths.progress(1), toJsonLines(page1.map((b, i) => entry(`p${i}`, b))));
    await store.write(paths.manifest(1), toJsonLines(page1.map((b, i) => entry(`p${i}`, b))));
    await store.write(paths.progress(2), toJsonLines(page2.map((b, i) => entry(`q${i}`, b))));
    return paths;
  };

  it('removes the blobs only the run wrote and keeps those a committed transaction references', async () => {
    const shared = blob('shared bytes');
    const committedOnly = blob('committed');
    await commit('done', [shared, committedOnly]);
    const mine = [blob('mine 1'), blob('mine 2'), blob('mine 3')];
    const paths = await stage('aborted', [mine[0]!, shared], [mine[1]!, mine[2]!]);
    const records = await new Dataset(store, DS).transactions();
    expect(await removeRunBlobs(store, DS, 'aborted', records, paths)).toEqual({ removed: 3, kept: 1 });
    expect(mine.filter(present)).toEqual([]);
    expect([shared, committedOnly].every(present)).toBe(true);
    expect(blobFiles().filter((n) => n.includes('.tmp-'))).toEqual([]);
    // Idempotent.
    expect(await removeRunBlobs(store, DS, 'aborted', records, paths)).toEqual({ removed: 3, kept: 1 });
    expect([shared, committedOnly].every(present)).toBe(true);
  });

  it('removes a blob of its own name (S3 stores: one per copy) without looking further', async () => {
    const own = `${DS}/blobs/1b4e28ba-2fa1-11d2-883f-0016d3cca427`;
    mkdirSync(join(root, DS, 'blobs'), { recursive: true });
    writeFileSync(join(root, ...own.split('/')), 'own');
    // Another run in progress does not matter: nothing else can reference this name.
    await store.write(`${DS}/runs/other/plan-000001.json`, '{}');
    const paths = await stage('aborted', [own], []);
    expect(await removeRunBlobs(store, DS, 'aborted', [], paths)).toEqual({ removed: 1, kept: 0 });
    expect(present(own)).toBe(false);
  });

  it('keeps content-addressed blobs while another run of the dataset is in progress, and ignores a staging folder untouched for a day', async () => {
    const mine = blob('mine');
    const paths = await stage('aborted', [mine], []);
    await store.write(`${DS}/runs/live/progress-000001.jsonl`, '');
    expect(await removeRunBlobs(store, DS, 'aborted', [], paths)).toEqual({ removed: 0, kept: 1 });
    expect(present(mine)).toBe(true);
    const dayAgo = (Date.now() - LIVE_STAGING_MS - 60_000) / 1000;
    utimesSync(join(root, DS, 'runs', 'live'), dayAgo, dayAgo);
    expect(await removeRunBlobs(store, DS, 'aborted', [], paths)).toEqual({ removed: 1, kept: 0 });
    expect(present(mine)).toBe(false);
  });

  it('puts every blob back when a run starts while they are being removed (it may have taken one before it was moved)', async () => {
    const mine = [blob('a'), blob('b')];
    const paths = await stage('aborted', mine, []);
    let looks = 0;
    const racing: StoreBackend = {
      ...store,
      async list(dir) {
        if (dir === `${DS}/runs` && ++looks === 2) await store.write(`${DS}/runs/newcomer/plan-000001.json`, '{}');
        return store.list(dir);
      },
    };
    expect(await removeRunBlobs(racing, DS, 'aborted', [], paths)).toEqual({ removed: 0, kept: 2 });
    expect(mine.every(present)).toBe(true);
    expect(blobFiles().filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('finishes the work of an attempt that died after moving the blobs aside', async () => {
    const mine = blob('half done');
    const paths = await stage('aborted', [mine], []);
    const file = join(root, ...mine.split('/'));
    // What the dead attempt left: the blob under its trash name.
    writeFileSync(`${file}.tmp-abort-aborted`, 'half done');
    rmSync(file);
    expect(await removeRunBlobs(store, DS, 'aborted', [], paths)).toEqual({ removed: 1, kept: 0 });
    expect(blobFiles()).toEqual([]);
  });
});
