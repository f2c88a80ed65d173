import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localBackend } from '../../datasets/local-backend';
import { compareKeyItems, findKeyCollisions, MERGE_FAN_IN, type KeyItem, type KeyRun } from '../../exports/key-collisions';
import { exportKey, keyRewritesPath } from '../../exports/target';

/** Sorted in-memory runs of `size` items each, counting the chunks loaded. */
function runsOf(items: KeyItem[], size: number, loads: { count: number }): KeyRun[] {
  const runs: KeyRun[] = [];
  for (let i = 0; i < items.length; i += size) {
    const chunk = items.slice(i, i + size).sort(compareKeyItems);
    runs.push({ chunks: 1, load: () => { loads.count += 1; return Promise.resolve(chunk); } });
  }
  return runs;
}

describe('export keys', () => {
  let root: string;
  beforeAll(() => { root = mkdtempSync(join(tmpdir(), 'export-keys-')); });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('drop the empty segments of a path, with or without a prefix, since stores disagree about them', () => {
    expect(exportKey('out/p', 'a/b.txt')).toBe('out/p/a/b.txt');
    expect(exportKey('out/p', '/a.txt')).toBe('out/p/a.txt');
    expect(exportKey('', '/a.txt')).toBe('a.txt');
    expect(exportKey('', 'a//b')).toBe('a/b');
    expect(exportKey('p', 'dir/')).toBe('p/dir');
    expect(exportKey('p', '/')).toBe('p');
    expect(exportKey('', 'a b/%2F+é')).toBe('a b/%2F+é');
    for (const path of ['a.txt', 'a/b', 'a b/c@20260101T000000Z']) expect(keyRewritesPath(path)).toBe(false);
    for (const path of ['/a.txt', 'a//b', 'dir/', '', '/']) expect(keyRewritesPath(path)).toBe(true);
  });

  it('finds keys shared by two paths across many sorted runs with merges of bounded fan-in, naming the paths', async () => {
    const items: KeyItem[] = [];
    for (let i = 0; i < 5000; i++) items.push([`k/${String(i).padStart(5, '0')}`, `${String(i).padStart(5, '0')}`, 1]);
    // Two colliding pairs and a triple, each spread over runs far apart.
    items.push(['k/00042', '/00042', 1]);
    items.unshift(['k/04999', '//04999', 1]);
    items.splice(2500, 0, ['k/03000', '03000/', 1]);
    items.splice(100, 0, ['k/03000', '/03000', 1]);
    const loads = { count: 0 };
    // 50 runs of ~100 keys: more than MERGE_FAN_IN, so merged runs are written and read back.
    const runs = runsOf(items, 101, loads);
    expect(runs.length).toBeGreaterThan(MERGE_FAN_IN);
    const store = localBackend(root);
    const report = await findKeyCollisions(store, 'work/key-check', runs);
    expect(report.keys).toBe(3);
    const byKey = new Map(report.collisions.map((c) => [c.key, c]));
    expect(new Set(byKey.get('k/00042')!.paths)).toEqual(new Set(['00042', '/00042']));
    expect(new Set(byKey.get('k/04999')!.paths)).toEqual(new Set(['04999', '//04999']));
    expect(byKey.get('k/03000')).toMatchObject({ count: 3 });
    expect(loads.count).toBe(runs.length);
    expect(readdirSync(join(root, 'work', 'key-check')).length).toBeGreaterThan(0);
  });

  it('reports a key only when a planned path is among those sharing it, and stops naming after the limit', async () => {
    const loads = { count: 0 };
    const items: KeyItem[] = [['a', 'a', 0], ['a', '/a', 0], ['b', 'b', 0], ['b', '/b', 1], ['c', 'c', 1]];
    for (let i = 0; i < 10; i++) items.push([`d${i}`, `d${i}`, 1], [`d${i}`, `/d${i}`, 1]);
    const report = await findKeyCollisions(localBackend(root), 'work/small', runsOf(items, 3, loads), 2);
    expect(report.keys).toBe(11);
    expect(report.collisions).toHaveLength(2);
    expect(report.collisions[0]).toEqual({ key: 'b', paths: expect.arrayContaining(['b', '/b']), count: 2 });
  });

  it('finds nothing in an empty walk or in distinct keys', async () => {
    const store = localBackend(root);
    expect(await findKeyCollisions(store, 'work/none', [])).toEqual({ collisions: [], keys: 0 });
    const loads = { count: 0 };
    expect((await findKeyCollisions(store, 'work/none', runsOf([['x', 'x', 1], ['y', 'y', 1]], 1, loads))).keys).toBe(0);
  });
});
