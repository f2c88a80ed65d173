/**
 * The Delta Change Data Feed reader on the delta-kernel-rs CDF golden tables, row for row
 * against the rows delta-kernel-rs's own table_changes tests expect
 * (test/fixtures/delta-kernel-rs/expected/*.changes.*.txt, each naming its source test).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { goldenTable, expectedTable, renderRows, sortRows } from '../harness/delta-fixtures';
import { add, DATA_SIZE, GOLDEN_DV, metadata, protocol, remove, syntheticTable } from '../harness/delta-synthetic';
import { z85Decode } from '../../tables/delta/z85';
import { LocalTableStorage } from '../../tables/storage-local';
import {
  DeltaChangeDataFeedDisabledError, DeltaVersionNotFoundError, openDeltaChanges, readDeltaChanges,
  type DeltaRow, type DeltaValue,
} from '../../tables/delta';

async function readChanges(table: string, since: number, until?: number): Promise<{ rows: DeltaRow[]; render: (columns: string[]) => string[][] }> {
  const storage = new LocalTableStorage(goldenTable(table));
  const opened = await openDeltaChanges(storage, { since, until });
  const rows: DeltaRow[] = [];
  for await (const batch of opened.batches()) rows.push(...batch.rows);
  return { rows, render: (columns) => renderRows({ ...opened.snapshot, schema: opened.schema }, rows, columns) };
}

const golden: Array<[string, number, number | undefined]> = [
  ['cdf-table', 0, undefined],
  ['cdf-table-non-partitioned', 0, undefined],
  ['cdf-table-partitioned', 0, 2],
  ['cdf-table-with-dv', 0, undefined],
  ['cdf-table-with-cdc-and-dvs', 0, undefined],
  ['cdf-table-simple', 0, 0],
  ['cdf-table-simple', 1, 1],
  ['cdf-table-simple', 2, 2],
  ['cdf-table-simple', 0, 2],
  ['cdf-table-update-ops', 0, 2],
  ['cdf-table-data-change', 0, 1],
  ['cdf-table-backtick-column-names', 0, undefined],
  ['cdf-table-delete-unconditional', 0, undefined],
  ['cdf-table-delete-conditional-all-rows', 0, undefined],
  ['cdf-table-delete-conditional-two-rows', 0, undefined],
  ['cdf-column-mapping-name-mode', 1, undefined],
  ['cdf-column-mapping-name-mode-3-7', 1, undefined],
  ['cdf-column-mapping-id-mode', 1, undefined],
];

describe('Change Data Feed of the delta-kernel-rs golden tables', () => {
  test.each(golden)('%s from %s to %s reads exactly the expected changes', async (table, since, until) => {
    const expected = expectedTable(`${table}.changes.${since}-${until ?? ''}.txt`);
    const { render } = await readChanges(table, since, until);
    expect(render(expected.columns)).toEqual(sortRows(expected.rows));
  });
});

async function changesOf(root: string, options: { since: number; until?: number; columns?: string[] }): Promise<DeltaRow[]> {
  const rows: DeltaRow[] = [];
  for await (const batch of readDeltaChanges(new LocalTableStorage(root), options)) rows.push(...batch.rows);
  return rows;
}

/** Rows as `value change version` strings, sorted. */
function brief(rows: DeltaRow[]): string[] {
  return rows.map((r) => `${String(r.value)} ${String(r._change_type)} ${String(r._commit_version)}`).sort();
}

const CDF_ON = { 'delta.enableChangeDataFeed': 'true' };
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('Change Data Feed on hand-written tables', () => {
  test('a range in which the feed was turned off is refused naming the version; the versions before it read', async () => {
    const root = syntheticTable([
      [protocol(), metadata(CDF_ON), add('a.parquet')],
      [add('b.parquet')],
      [metadata({ 'delta.enableChangeDataFeed': 'false' })],
      [add('c.parquet')],
    ], ['a.parquet', 'b.parquet', 'c.parquet']);
    const refused = changesOf(root, { since: 0, until: 3 });
    await expect(refused).rejects.toBeInstanceOf(DeltaChangeDataFeedDisabledError);
    await expect(refused).rejects.toMatchObject({ version: 2 });
    await expect(changesOf(root, { since: 3 })).rejects.toMatchObject({ name: 'DeltaChangeDataFeedDisabledError', version: 3 });
    expect(brief(await changesOf(root, { since: 0, until: 1 }))).toEqual(
      [...range(0, 9).map((v) => `${v} insert 0`), ...range(0, 9).map((v) => `${v} insert 1`)].sort());
  });

  test('a table that never enabled the feed is refused at the first version asked for', async () => {
    const root = syntheticTable([[protocol(), metadata(), add('a.parquet')], [add('b.parquet')]], ['a.parquet', 'b.parquet']);
    await expect(changesOf(root, { since: 1 })).rejects.toThrow(/not enabled at version 1/);
  });

  test('the golden column-mapping tables, created before the feed was enabled at version 1, are refused from version 0', async () => {
    for (const table of ['cdf-column-mapping-name-mode', 'cdf-column-mapping-id-mode']) {
      await expect(changesOf(goldenTable(table), { since: 0 })).rejects.toMatchObject({ name: 'DeltaChangeDataFeedDisabledError', version: 0 });
    }
  });

  test('a removed file whose rows a deletion vector already deleted gives only its remaining rows as deletes; its size comes from a listing when the remove has none', async () => {
    const root = syntheticTable([
      [protocol(3, ['deletionVectors']), metadata(CDF_ON), add('a.parquet', { deletionVector: GOLDEN_DV })],
      [remove('a.parquet', { deletionVector: GOLDEN_DV })],
    ], ['a.parquet']);
    expect(brief(await changesOf(root, { since: 0 }))).toEqual(
      [...range(1, 8).map((v) => `${v} insert 0`), ...range(1, 8).map((v) => `${v} delete 1`)].sort());
  });

  test('a deletion vector added to a file: the rows it deletes are deletes, nothing else changes; dropping it restores them as inserts', async () => {
    const root = syntheticTable([
      [protocol(3, ['deletionVectors']), metadata(CDF_ON), add('a.parquet')],
      [remove('a.parquet', { size: DATA_SIZE, partitionValues: {} }), add('a.parquet', { deletionVector: GOLDEN_DV })],
      [remove('a.parquet', { deletionVector: GOLDEN_DV }), add('a.parquet')],
    ], ['a.parquet']);
    expect(brief(await changesOf(root, { since: 1 }))).toEqual(['0 delete 1', '0 insert 2', '9 delete 1', '9 insert 2']);
  });

  test('adds and removes without dataChange (compaction) change nothing', async () => {
    const root = syntheticTable([
      [protocol(), metadata(CDF_ON), add('a.parquet')],
      [remove('a.parquet', { dataChange: false }), add('b.parquet', { dataChange: false })],
    ], ['a.parquet', 'b.parquet']);
    expect(await changesOf(root, { since: 1 })).toEqual([]);
  });

  test('a remove without partition values in a partitioned table is refused rather than given without them', async () => {
    const fields = [{ name: 'value', type: 'integer', nullable: true, metadata: {} }, { name: 'p', type: 'string', nullable: true, metadata: {} }];
    const root = syntheticTable([
      [protocol(), metadata(CDF_ON, fields, ['p']), add('p=x/a.parquet', { partitionValues: { p: 'x' } })],
      [remove('p=x/a.parquet')],
    ], ['p=x/a.parquet']);
    expect(brief(await changesOf(root, { since: 0, until: 0 }))).toHaveLength(10);
    await expect(changesOf(root, { since: 0 })).rejects.toThrow(/removes p=x\/a.parquet without its partition values/);
  });

  test('a schema change in the range is refused', async () => {
    const wider = [{ name: 'value', type: 'integer', nullable: true, metadata: {} }, { name: 'extra', type: 'string', nullable: true, metadata: {} }];
    const root = syntheticTable([
      [protocol(), metadata(CDF_ON), add('a.parquet')],
      [metadata(CDF_ON, wider), add('b.parquet')],
    ], ['a.parquet', 'b.parquet']);
    await expect(changesOf(root, { since: 0 })).rejects.toThrow(/schema/);
    expect(brief(await changesOf(root, { since: 1 }))).toHaveLength(10);
  });

  test('_commit_timestamp is the commit file time, or the in-commit timestamp where In-Commit Timestamps are on; columns are projected', async () => {
    const t0 = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
    const ict = { ...CDF_ON, 'delta.enableInCommitTimestamps': 'true', 'delta.inCommitTimestampEnablementVersion': '1' };
    const root = syntheticTable([
      [protocol(), metadata(CDF_ON), add('a.parquet')],
      [{ commitInfo: { inCommitTimestamp: t0 + 1000, timestamp: 1 } }, metadata(ict), add('b.parquet')],
    ], ['a.parquet', 'b.parquet'], { commitTimes: [t0, t0 + 5000] });
    const rows = await changesOf(root, { since: 0, columns: [] });
    expect(new Set(rows.map((r) => `${String(r._commit_version)} ${String(r._commit_timestamp)}`))).toEqual(
      new Set(['0 2024-01-02T03:04:05.678000Z', '1 2024-01-02T03:04:06.678000Z']));
    expect(Object.keys(rows[0] as DeltaRow)).toEqual(['_change_type', '_commit_version', '_commit_timestamp']);
    expect(rows[0]?._commit_version).toBe(0n);
  });

  test('columns are projected from change data files too, and until defaults to the latest version', async () => {
    const storage = new LocalTableStorage(goldenTable('cdf-table'));
    const opened = await openDeltaChanges(storage, { since: 1, columns: ['id'] });
    expect([opened.since, opened.until]).toEqual([1, 3]);
    expect(opened.schema.fields.map((f) => f.name)).toEqual(['id', '_change_type', '_commit_version', '_commit_timestamp']);
    const rows: DeltaRow[] = [];
    for await (const batch of opened.batches()) rows.push(...batch.rows);
    expect(rows.map((r) => `${String(r.id)} ${String(r._change_type)} ${String(r._commit_version)}`).sort()).toEqual([
      '2 update_postimage 1', '2 update_preimage 1', '3 update_postimage 1', '3 update_preimage 1', '4 update_postimage 1', '4 update_preimage 1',
      '5 update_postimage 2', '5 update_preimage 2', '6 update_postimage 2', '6 update_preimage 2', '7 delete 3', '7 update_postimage 2', '7 update_preimage 2',
    ]);
    expect(rows.every((r) => Object.keys(r).length === 4)).toBe(true);
  });

  test('a commit without its in-commit timestamp while In-Commit Timestamps are on is refused', async () => {
    const ict = { ...CDF_ON, 'delta.enableInCommitTimestamps': 'true', 'delta.inCommitTimestampEnablementVersion': '0' };
    const root = syntheticTable([[{ commitInfo: { inCommitTimestamp: 5 } }, protocol(), metadata(ict), add('a.parquet')], [add('b.parquet')]], ['a.parquet', 'b.parquet']);
    await expect(changesOf(root, { since: 0 })).rejects.toThrow(/commit 1 has no inCommitTimestamp/);
  });

  test('versions outside the log are refused', async () => {
    const root = goldenTable('cdf-table-simple');
    await expect(changesOf(root, { since: 3 })).rejects.toBeInstanceOf(DeltaVersionNotFoundError);
    await expect(changesOf(root, { since: 0, until: 4 })).rejects.toBeInstanceOf(DeltaVersionNotFoundError);
    await expect(changesOf(root, { since: 2, until: 1 })).rejects.toThrow(RangeError);
  });
});

describe('Z85 tails padded as the Rust z85 crate writes them (inline deletion vectors of delta-kernel-rs tables)', () => {
  test('each leading # of the last group is one byte fewer', () => {
    expect(Buffer.from(z85Decode('00000##093')).toString('hex')).toBe('000000000300');
    expect(Buffer.from(z85Decode('#0000')).toString('hex')).toBe('000000');
    expect(() => z85Decode('##zzz')).toThrow(/padded Z85 tail/);
  });
});

describe('Change Data Feed of a table written by deltalake (delta-rs), against its own load_cdf', () => {
  test('test/fixtures/deltalake-cdf: appends, an update and a merge (change data files), deletes by row and by partition, compaction and an overwrite read exactly, 64-bit, decimal and timestamp values included', async () => {
    const dir = join(__dirname, '..', 'fixtures', 'deltalake-cdf');
    const byText = (a: object, b: object) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
    const expected = readFileSync(join(dir, 'expected.jsonl'), 'utf8').split('\n').filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>).sort(byText);
    // deltalake's expected values: longs as digits, decimals and timestamps as exact text (make_table.py).
    const text = (v: DeltaValue): DeltaValue => (typeof v === 'bigint' ? v.toString() : v);
    const rows = await changesOf(join(dir, 'table'), { since: 0 });
    const actual = rows.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => k !== '_commit_timestamp').map(([k, v]) => [k, text(v)])));
    expect(actual.sort(byText)).toEqual(expected);
    expect(expected).toHaveLength(33);
  });
});
