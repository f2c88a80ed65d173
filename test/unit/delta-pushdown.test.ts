/**
 * Pruning in the Delta reader on a table deltalake wrote with column mapping (data files and
 * statistics name columns by physical names) in two commits of 1,000 rows, row groups of 100
 * (scripts/fixtures/make_pushdown_tables.py, `mapped/`): files skipped by their statistics in
 * the log, row groups by the data files' statistics, found through the mapping; rows as the
 * generator defines them. And the same rows with their statistics only in a checkpoint's
 * `stats_parsed` structs (`checkpointed/`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../harness/temp-dir';
import { openDeltaTable } from '../../tables/readers';
import { emptyScanStats, type ScanStats } from '../../tables/scan-stats';
import { LocalTableStorage } from '../../tables/storage-local';

const root = resolve(__dirname, '..', '..');
const BASE = 2n ** 53n;
let dir: string;
let checkpointed: string;

beforeAll(() => {
  const python = join(root, '.tools', 'venv', 'bin', 'python');
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
  const out = tempDir('delta-pushdown-');
  execFileSync(python, [join(root, 'scripts', 'fixtures', 'make_pushdown_tables.py'), out, '10', '1'], { stdio: 'inherit' });
  dir = join(out, 'mapped');
  checkpointed = join(out, 'checkpointed');
});

async function scan(where: string, planOnly = false, root = dir): Promise<{ rows: Array<Record<string, unknown>>; stats: ScanStats }> {
  const table = await openDeltaTable(new LocalTableStorage(root));
  const stats = emptyScanStats();
  const rows: Array<Record<string, unknown>> = [];
  for await (const batch of table.scan({ where, stats, planOnly })) rows.push(...batch.rows);
  return { rows, stats };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

describe('pruning a column-mapped Delta table by --where', () => {
  test('per-file statistics skip a file, the data files\' row-group statistics skip row groups', async () => {
    const { rows, stats } = await scan(`id >= ${BASE + 1950n}`);
    expect(rows.map((r) => r.id)).toEqual(range(1950, 2000).map((i) => BASE + BigInt(i)));
    expect(stats).toMatchObject({ filesTotal: 2, filesPrunedByPartition: 0, filesPrunedByStatistics: 1, rowGroupsTotal: 10, rowGroupsPruned: 9 });
    expect(rows[0]).toEqual({ id: BASE + 1950n, name: 'n1950', ts: '1970-01-01T00:32:30.001950Z' });
  });

  test('strings and microsecond timestamps prune through the physical names', async () => {
    const name = await scan("name = 'n0150'");
    expect(name.rows.map((r) => r.name)).toEqual(['n0150']);
    expect(name.stats).toMatchObject({ filesPrunedByStatistics: 1, rowGroupsPruned: 9 });
    // ts of row i is i s + i µs: the bound lies between rows 1099 and 1100 only by microseconds.
    const ts = await scan("ts >= TIMESTAMP '1970-01-01T00:18:20.001100Z' AND ts < TIMESTAMP '1970-01-01T00:18:21Z'");
    expect(ts.rows.map((r) => r.name)).toEqual(['n1100']);
    expect(ts.stats.rowGroupsPruned).toBe(9);
  });

  test('a plan counts the same pruning without yielding rows', async () => {
    const plan = await scan(`id >= ${BASE + 1950n}`, true);
    expect(plan.rows).toEqual([]);
    expect(plan.stats).toMatchObject({ filesPrunedByStatistics: 1, rowGroupsTotal: 10, rowGroupsPruned: 9 });
    expect(plan.stats.bytesToRead).toBeGreaterThan(0);
    expect(plan.stats.bytesToRead).toBeLessThan(plan.stats.fileBytesTotal / 10);
  });
});

describe('pruning by statistics a checkpoint holds as structs (add.stats_parsed)', () => {
  test('files and row groups are skipped the same way as with JSON statistics', async () => {
    const ids = await scan(`id >= ${BASE + 1950n}`, false, checkpointed);
    expect(ids.rows.map((r) => r.id)).toEqual(range(1950, 2000).map((i) => BASE + BigInt(i)));
    expect(ids.stats).toMatchObject({ filesTotal: 2, filesPrunedByStatistics: 1, rowGroupsPruned: 9 });
    const ts = await scan("ts >= TIMESTAMP '1970-01-01T00:18:20.001100Z' AND ts < TIMESTAMP '1970-01-01T00:18:21Z'", false, checkpointed);
    expect(ts.rows.map((r) => r.name)).toEqual(['n1100']);
    expect(ts.stats).toMatchObject({ filesPrunedByStatistics: 1, rowGroupsPruned: 9 });
  });
});
