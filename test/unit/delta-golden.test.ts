/**
 * The delta-kernel-rs golden tables read through the Delta reader, row for row against the rows
 * delta-kernel-rs's own tests expect (test/fixtures/delta-kernel-rs/expected/, each file naming
 * its source).
 */
import { goldenTable, expectedTable, renderRows, sortRows } from '../harness/delta-fixtures';
import { LocalTableStorage } from '../../tables/storage-local';
import { loadDeltaSnapshot, scanDeltaFiles, type DeltaRow, type DeltaSnapshot } from '../../tables/delta';

async function readAll(table: string, options: { version?: number } = {}): Promise<{ snapshot: DeltaSnapshot; rows: DeltaRow[] }> {
  const storage = new LocalTableStorage(goldenTable(table));
  const snapshot = await loadDeltaSnapshot(storage, options);
  const rows: DeltaRow[] = [];
  for await (const batch of scanDeltaFiles(storage, snapshot, snapshot.files)) rows.push(...batch.rows);
  return { snapshot, rows };
}

async function expectExact(table: string, expectedFile: string): Promise<DeltaSnapshot> {
  const { snapshot, rows } = await readAll(table);
  const expected = expectedTable(expectedFile);
  expect(renderRows(snapshot, rows, expected.columns)).toEqual(sortRows(expected.rows));
  return snapshot;
}

const exact: Array<[string, string]> = [
  ['basic_partitioned', 'basic_partitioned.txt'],
  ['basic-decimal-table', 'basic-decimal-table.txt'],
  ['data-reader-timestamp_ntz', 'data-reader-timestamp_ntz.txt'],
  ['with-short-dv', 'with-short-dv.txt'],
  ['table-with-dv-small', 'table-with-dv-small.txt'],
  ['type-widening', 'type-widening.basic.txt'],
  ['type-widening', 'type-widening.decimal.txt'],
  ['timestamp-partitioned-table', 'timestamp-partitioned-table.txt'],
  ['compacted-log-files-table', 'compacted-log-files-table.txt'],
  ['void-column', 'void-column.txt'],
  ['mixed-nulls', 'mixed-nulls.txt'],
  ['parquet_row_group_skipping', 'parquet_row_group_skipping.txt'],
  ['app-txn-checkpoint', 'app-txn-checkpoint.txt'],
  ['app-txn-no-checkpoint', 'app-txn-checkpoint.txt'],
  ['cdf-column-mapping-name-mode', 'cdf-column-mapping-name-mode.txt'],
  ['cdf-column-mapping-id-mode', 'cdf-column-mapping-id-mode.txt'],
  ['v2-checkpoints-json-with-sidecars', 'v2-checkpoints-with-sidecars.txt'],
  ['v2-checkpoints-parquet-with-sidecars', 'v2-checkpoints-with-sidecars.txt'],
  ['v2-checkpoints-json-without-sidecars', 'v2-checkpoints-without-sidecars.txt'],
  ['v2-checkpoints-parquet-without-sidecars', 'v2-checkpoints-without-sidecars.txt'],
  ['v2-classic-checkpoint-json', 'v2-classic-checkpoint.txt'],
  ['v2-classic-checkpoint-parquet', 'v2-classic-checkpoint.txt'],
  ['v2-checkpoints-json-with-last-checkpoint', 'v2-checkpoints-with-last-checkpoint.txt'],
  ['v2-checkpoints-parquet-with-last-checkpoint', 'v2-checkpoints-with-last-checkpoint.txt'],
];

describe('golden tables of delta-kernel-rs', () => {
  test.each(exact)('%s reads exactly the rows of %s', async (table, expectedFile) => {
    await expectExact(table, expectedFile);
  });

  test.each([
    'v1-single-part-struct-stats-only', 'v1-multi-part-struct-stats-only', 'v2-classic-parquet-struct-stats-only',
    'v2-json-sidecars-struct-stats-only', 'v2-parquet-sidecars-struct-stats-only',
  ])('%s (statistics only as stats_parsed) has five one-row files whose parsed statistics bound their rows', async (table) => {
    const { snapshot, rows } = await readAll(table);
    expect(snapshot.version).toBe(5);
    expect(snapshot.files).toHaveLength(5);
    for (const file of snapshot.files) {
      expect(file.stats?.numRecords).toBe(1);
      expect(typeof file.stats?.minValues.id).toBe('bigint');
    }
    // delta-kernel-rs reads ids 4 and 5 as value_4 and value_5 (fn checkpoint_stats_skipping); the five files hold ids 1 to 5.
    expect(rows.map((r) => [r.id, r.value]).sort((a, b) => Number(a[0]) - Number(b[0])))
      .toEqual([1n, 2n, 3n, 4n, 5n].map((id) => [id, `value_${id}`]));
    const byId = new Map(snapshot.files.map((f) => [f.stats?.minValues.id, f.stats?.maxValues.id]));
    expect([...byId].every(([min, max]) => min === max)).toBe(true);
  });

  test('the multi-part checkpoint of a partitioned table gives each file its typed partition value', async () => {
    const { snapshot, rows } = await readAll('v1-multi-part-partitioned-struct-stats-only');
    expect(snapshot.partitionColumns).toEqual(['part']);
    expect(rows.map((r) => `${r.id}:${r.part}`).sort()).toEqual(['1:1', '2:2', '3:0', '4:1', '5:2']);
    expect(snapshot.files.every((f) => typeof f.partitionValues.part === 'number')).toBe(true);
  });

  test('a checkpoint without a _last_checkpoint file is found by listing the log', async () => {
    const storage = new LocalTableStorage(goldenTable('with_checkpoint_no_last_checkpoint'));
    const snapshot = await loadDeltaSnapshot(storage);
    expect(snapshot.version).toBe(3);
    expect(snapshot.files.map((f) => f.path)).toEqual(['part-00000-70b1dcdf-0236-4f63-a072-124cdbafd8a0-c000.snappy.parquet']);
  });

  test('64-bit integers come back as bigints, exact beyond 2^53', async () => {
    const { rows } = await readAll('type-widening');
    expect(rows.map((r) => r.byte_long)).toContain(9223372036854775807n);
  });

  test('a file written without a column reads it as null (external table with a column added later)', async () => {
    const { snapshot, rows } = await readAll('external-table-different-nullability');
    expect(snapshot.version).toBe(5);
    expect(rows.map((r) => [r.i, r.j, r.k]).sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual([
      [1, null, null], [2, null, null], [3, null, null], [4, 40, null], [5, 50, null], [6, 60, 600], [7, 70, 700],
    ]);
  });
});
