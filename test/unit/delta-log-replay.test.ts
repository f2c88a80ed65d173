/**
 * Log replay on small hand-written tables: file reconciliation by path and deletion vector id,
 * URI-encoded paths, incomplete checkpoints, missing commits, paths outside the root, and time
 * travel by version and by timestamp (file times and in-commit timestamps).
 */
import { add, metadata, protocol, remove, syntheticTable, GOLDEN_DV } from '../harness/delta-synthetic';
import { goldenTable } from '../harness/delta-fixtures';
import { LocalTableStorage } from '../../tables/storage-local';
import { TableOutsideRootError } from '../../tables/storage';
import { loadDeltaSnapshot, scanDeltaFiles, DeltaTableError, DeltaVersionNotFoundError, type DeltaSnapshot } from '../../tables/delta';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

async function values(root: string, snapshot: DeltaSnapshot): Promise<number[]> {
  const out: number[] = [];
  for await (const b of scanDeltaFiles(new LocalTableStorage(root), snapshot, snapshot.files)) out.push(...b.rows.map((r) => r.value as number));
  return out.sort((a, b) => a - b);
}

describe('Delta log replay', () => {
  test('a removed file is gone, a re-added one is back, and the newest add of a file wins', async () => {
    const root = syntheticTable([
      [protocol(), metadata(), add('a.parquet'), add('b.parquet')],
      [remove('a.parquet')],
      [add('a.parquet', { stats: '{"numRecords":10,"minValues":{"value":0}}' }), remove('b.parquet')],
      [add('b.parquet', { stats: '{"numRecords":10,"maxValues":{"value":9}}' })],
    ], ['a.parquet', 'b.parquet']);
    const storage = new LocalTableStorage(root);
    expect((await loadDeltaSnapshot(storage, { version: 1 })).files.map((f) => f.path)).toEqual(['b.parquet']);
    const latest = await loadDeltaSnapshot(storage);
    expect(latest.files.map((f) => f.path).sort()).toEqual(['a.parquet', 'b.parquet']);
    expect(latest.files.find((f) => f.path === 'b.parquet')?.stats?.maxValues).toEqual({ value: 9 });
    expect(await values(root, latest)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
  });

  test('a deletion vector replaces the file without one (remove without DV, add with DV), and its rows are dropped', async () => {
    const root = syntheticTable([
      [protocol(3, ['deletionVectors']), metadata(), add('a.parquet')],
      [remove('a.parquet'), add('a.parquet', { deletionVector: GOLDEN_DV })],
    ], ['a.parquet']);
    const snapshot = await loadDeltaSnapshot(new LocalTableStorage(root));
    expect(snapshot.files).toHaveLength(1);
    expect(snapshot.files[0]?.deletionVector).toEqual(GOLDEN_DV);
    expect(await values(root, snapshot)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await values(root, await loadDeltaSnapshot(new LocalTableStorage(root), { version: 0 }))).toHaveLength(10);
  });

  test('a remove of another deletion vector id leaves the logical file with this one in place', async () => {
    const root = syntheticTable([
      [protocol(3, ['deletionVectors']), metadata(), add('a.parquet', { deletionVector: GOLDEN_DV })],
      [remove('a.parquet')],
    ], ['a.parquet']);
    expect((await loadDeltaSnapshot(new LocalTableStorage(root))).files).toHaveLength(1);
  });

  test('URI-encoded paths are decoded to the files they name', async () => {
    const root = syntheticTable([[protocol(), metadata(), add('dir%20one/a%25b.parquet')]], ['dir one/a%b.parquet']);
    const snapshot = await loadDeltaSnapshot(new LocalTableStorage(root));
    expect(snapshot.files[0]?.key).toBe('dir one/a%b.parquet');
    expect(await values(root, snapshot)).toHaveLength(10);
  });

  test('an absolute path outside the table root is refused, never read', async () => {
    const root = syntheticTable([[protocol(), metadata(), add('file:///etc/passwd')]]);
    await expect(loadDeltaSnapshot(new LocalTableStorage(root))).rejects.toThrow(TableOutsideRootError);
    const inside = syntheticTable([[protocol(), metadata()]], ['x.parquet']);
    writeFileSync(join(inside, '_delta_log', '00000000000000000001.json'), JSON.stringify(add(`file://${inside}/x.parquet`)) + '\n');
    expect((await loadDeltaSnapshot(new LocalTableStorage(inside))).files[0]?.key).toBe('x.parquet');
    const escaping = syntheticTable([[protocol(), metadata(), add('../outside.parquet')]]);
    await expect(loadDeltaSnapshot(new LocalTableStorage(escaping))).rejects.toThrow(TableOutsideRootError);
  });

  test('a missing commit between the checkpoint and the version fails naming it', async () => {
    const root = syntheticTable([[protocol(), metadata()], [add('a.parquet')], [add('b.parquet')]]);
    const { unlinkSync } = await import('node:fs');
    unlinkSync(join(root, '_delta_log', '00000000000000000001.json'));
    await expect(loadDeltaSnapshot(new LocalTableStorage(root))).rejects.toThrow(/commit 1 is missing/);
    await expect(loadDeltaSnapshot(new LocalTableStorage(root), { version: 7 })).rejects.toThrow(DeltaVersionNotFoundError);
  });

  test('a multi-part checkpoint with a part missing is ignored and the commits are replayed instead', async () => {
    const golden = goldenTable('v1-multi-part-struct-stats-only');
    const root = syntheticTable([]);
    const { cpSync, unlinkSync } = await import('node:fs');
    cpSync(golden, root, { recursive: true });
    unlinkSync(join(root, '_delta_log', '00000000000000000005.checkpoint.0000000002.0000000003.parquet'));
    const snapshot = await loadDeltaSnapshot(new LocalTableStorage(root));
    expect(snapshot.version).toBe(5);
    expect(snapshot.files).toHaveLength(5);
  });

  test('a version is read as of a timestamp by its commit file times, made increasing', async () => {
    const t0 = Date.UTC(2024, 0, 1);
    const root = syntheticTable([
      [protocol(), metadata(), add('a.parquet')], [add('b.parquet')], [remove('a.parquet')],
    ], ['a.parquet', 'b.parquet'], { commitTimes: [t0, t0 + 60_000, t0 + 30_000] });
    const storage = new LocalTableStorage(root);
    expect((await loadDeltaSnapshot(storage, { timestamp: t0 + 59_999 })).version).toBe(0);
    expect((await loadDeltaSnapshot(storage, { timestamp: t0 + 60_000 })).version).toBe(1);
    // Version 2's file time is earlier than version 1's: it counts as 1 ms after it.
    const v2 = await loadDeltaSnapshot(storage, { timestamp: new Date(t0 + 60_001) });
    expect(v2.version).toBe(2);
    expect(v2.files.map((f) => f.path)).toEqual(['b.parquet']);
    await expect(loadDeltaSnapshot(storage, { timestamp: t0 - 1 })).rejects.toThrow(DeltaVersionNotFoundError);
  });

  test('with in-commit timestamps the commitInfo timestamps decide, not the file times', async () => {
    const t0 = Date.UTC(2024, 0, 1);
    const ict = (ms: number) => ({ commitInfo: { inCommitTimestamp: ms, timestamp: ms, operation: 'WRITE' } });
    const config = { 'delta.enableInCommitTimestamps': 'true' };
    const root = syntheticTable([
      [ict(t0), protocol(), metadata(config), add('a.parquet')], [ict(t0 + 1000), add('b.parquet')], [ict(t0 + 2000), remove('a.parquet')],
    ], ['a.parquet', 'b.parquet'], { commitTimes: [t0 + 9000, t0 + 9000, t0 + 9000] });
    const storage = new LocalTableStorage(root);
    expect((await loadDeltaSnapshot(storage, { timestamp: t0 + 1500 })).version).toBe(1);
    const latest = await loadDeltaSnapshot(storage);
    expect(latest.commitTimestamp).toBe(t0 + 2000);
  });

  test('time travel by version reads a column-mapped table as it was', async () => {
    const storage = new LocalTableStorage(goldenTable('cdf-column-mapping-name-mode'));
    const v3 = await loadDeltaSnapshot(storage, { version: 3 });
    const names: string[] = [];
    for await (const b of scanDeltaFiles(storage, v3, v3.files)) names.push(...b.rows.map((r) => `${r.name}:${r.value}`));
    // At version 3 Alice (deleted in version 4) is still there, Bob already updated, David inserted.
    expect(names.sort()).toEqual(['Alice:100', 'Bob:250', 'Charlie:300', 'David:400']);
  });

  test('a table without any log is not a Delta table', async () => {
    const root = syntheticTable([]);
    copyFileSync(join(goldenTable('table-with-dv-small'), 'part-00000-fae5310a-a37d-4e51-827b-c3d5516560ca-c000.snappy.parquet'), join(root, 'x.parquet'));
    await expect(loadDeltaSnapshot(new LocalTableStorage(root))).rejects.toThrow(DeltaTableError);
  });
});
