/**
 * Pruning in the readers, on pyarrow's Parquet files (scripts/fixtures/make_parquet_tables.py,
 * `codecs/`: six files in hive folders bucket=k/region=.../day=..., each 300 rows in three row
 * groups of 100): which files and row groups `--where` skips, by partition values and by
 * row-group statistics (negative timestamps and dates, struct fields, strings with nulls), that
 * decimals are never pruned by hyparquet's inexact statistics, and that the rows are those of
 * the generator's definition filtered by the same condition written in plain code. And an Avro
 * table in hive folders (make_avro_tables.py's `parted/`): files pruned by partition values.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../harness/temp-dir';
import { openAvroTable } from '../../tables/avro/table';
import { openParquetTable } from '../../tables/parquet/table';
import { emptyScanStats, type ScanStats } from '../../tables/scan-stats';
import { LocalTableStorage } from '../../tables/storage-local';
import { CountingTableStorage } from '../../tables/storage-counting';

const root = resolve(__dirname, '..', '..');
const CODECS = ['none', 'snappy', 'gzip', 'brotli', 'lz4', 'zstd'];
const REGIONS = ['eu', 'eu', 'us', 'us', null, null];
const BASE = 2n ** 62n;
let out: string;
let avro: string;

beforeAll(() => {
  const python = join(root, '.tools', 'venv', 'bin', 'python');
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
  out = tempDir('table-pushdown-');
  execFileSync(python, [join(root, 'scripts', 'fixtures', 'make_parquet_tables.py'), out], { stdio: 'inherit' });
  avro = tempDir('table-pushdown-avro-');
  execFileSync(python, [join(root, 'scripts', 'fixtures', 'make_avro_tables.py'), avro], { stdio: 'inherit' });
});

/** Every (file k, row i) of the codecs table, in file order. */
const ALL = CODECS.flatMap((_, k) => Array.from({ length: 300 }, (__, i) => ({ k, i })));

/** The ids a scan with `where` returns, and its counts. */
async function scan(where: string): Promise<{ ids: bigint[]; stats: ScanStats; bytes: number }> {
  const storage = new CountingTableStorage(new LocalTableStorage(join(out, 'codecs')));
  const table = await openParquetTable(storage);
  const opened = storage.counts.bytes;
  const stats = emptyScanStats();
  const ids: bigint[] = [];
  for await (const batch of table.scan({ where, columns: ['id'], stats })) for (const row of batch.rows) ids.push(row.id as bigint);
  return { ids, stats, bytes: storage.counts.bytes - opened };
}

const idsOf = (keep: (k: number, i: number) => boolean) => ALL.filter(({ k, i }) => keep(k, i)).map(({ k, i }) => BASE + BigInt(1000 * k + i));

describe('pruning Parquet tables by --where', () => {
  test('partition values drop whole files before they are read; a null partition matches only IS NULL', async () => {
    const eu = await scan("region = 'eu'");
    expect(eu.ids).toEqual(idsOf((k) => REGIONS[k] === 'eu'));
    expect(eu.stats).toMatchObject({ filesTotal: 6, filesPrunedByPartition: 4, rowGroupsTotal: 6, rowGroupsPruned: 0 });
    const nulls = await scan('region IS NULL AND bucket >= 5');
    expect(nulls.ids).toEqual(idsOf((k) => k === 5));
    expect(nulls.stats.filesPrunedByPartition).toBe(5);
    const notEu = await scan("NOT region = 'eu'");
    expect(notEu.ids).toEqual(idsOf((k) => REGIONS[k] === 'us'));
  });

  test('row-group statistics of 64-bit ids, negative timestamps and dates, and struct fields skip row groups exactly', async () => {
    const ids = await scan(`id >= ${BASE + 250n}`);
    expect(ids.ids).toEqual(idsOf((k, i) => 1000 * k + i >= 250));
    expect(ids.stats).toMatchObject({ rowGroupsTotal: 18, rowGroupsPruned: 2, filesPrunedByStatistics: 0 });

    // at = -1 - 1000k - i microseconds: only file 0's rows 0..98 are after -100 µs.
    const at = await scan("at > TIMESTAMP '1969-12-31T23:59:59.999900Z'");
    expect(at.ids).toEqual(idsOf((k, i) => -1 - 1000 * k - i > -100));
    expect(at.stats).toMatchObject({ rowGroupsPruned: 17, filesPrunedByStatistics: 5 });

    // d = 1000k + i - 5000 days since the epoch.
    const d = await scan("d < DATE '1956-04-20'");
    const limit = -(Date.UTC(1970, 0, 1) - Date.UTC(1956, 3, 20)) / 86_400_000;
    expect(d.ids).toEqual(idsOf((k, i) => 1000 * k + i - 5000 < limit));
    expect(d.stats.rowGroupsPruned).toBeGreaterThan(0);

    const x = await scan('point.x >= 250');
    expect(x.ids).toEqual(idsOf((_, i) => i >= 250));
    expect(x.stats.rowGroupsPruned).toBe(12);
  });

  test('string statistics prune by code point order; null counts answer IS NULL; decimals are never pruned', async () => {
    const name = await scan("name = 'zstd-250'");
    expect(name.ids).toEqual([BASE + 5250n]);
    // Of zstd's groups, 'zstd-250' lies between "zstd-1" and "zstd-99" (group 0) and in group 2; group 1 ("zstd-100".."zstd-199") is pruned.
    expect(name.stats.rowGroupsPruned).toBe(16);
    const nulls = await scan('name IS NULL AND bucket = 0');
    expect(nulls.ids).toEqual(idsOf((k, i) => k === 0 && i % 7 === 0));
    const none = await scan('point IS NULL');
    expect(none.ids).toEqual([]);
    // hyparquet turns decimal statistics into doubles: never trusted, so nothing is pruned, and the rows are still exact.
    const price = await scan('price = 1234567890123456.7890');
    expect(price.ids).toEqual([BASE]);
    expect(price.stats.rowGroupsPruned).toBe(0);
  });

  test('a scan that prunes plans fewer bytes than one that does not; files read whole at open are not read again; planning reads nothing more', async () => {
    const full = await scan('id >= 0');
    const pruned = await scan(`id >= ${BASE + 5250n}`);
    expect(full.stats.rowGroupsPruned).toBe(0);
    expect(pruned.stats.rowGroupsPruned).toBe(17);
    expect(pruned.stats.bytesToRead).toBeLessThan(full.stats.bytesToRead / 10);
    // These files are smaller than the 64 KiB footer fetch: opening the table read each whole, once.
    expect(full.bytes).toBe(0);

    const storage = new CountingTableStorage(new LocalTableStorage(join(out, 'codecs')));
    const table = await openParquetTable(storage);
    const before = storage.counts.reads;
    const stats = emptyScanStats();
    for await (const batch of table.scan({ where: `id >= ${BASE + 5250n}`, stats, planOnly: true })) throw new Error(`a plan yielded ${batch.rows.length} rows`);
    expect(stats.rowGroupsPruned).toBe(17);
    expect(storage.counts.reads).toBe(before); // the footers were read when the table was opened
  });
});

describe('pruning Avro tables by --where', () => {
  // make_avro_tables.py's parted/: day=2024-01-0<d>/n=<7 | null>/part.avro, one row {v: "<d>-<n>"} each.
  test('hive partition values drop files before they are opened; data columns are filtered row by row', async () => {
    const storage = new CountingTableStorage(new LocalTableStorage(join(avro, 'parted')));
    const table = await openAvroTable(storage);
    const read = async (where: string) => {
      const stats = emptyScanStats();
      const rows: unknown[] = [];
      for await (const batch of table.scan({ where, stats, columns: ['v'] })) rows.push(...batch.rows.map((r) => r.v));
      return { rows, stats };
    };
    const byDay = await read("day = DATE '2024-01-02' AND n IS NOT NULL");
    expect(byDay.rows).toEqual(['2-7']);
    expect(byDay.stats).toMatchObject({ filesTotal: 4, filesPrunedByPartition: 3 });
    const byValue = await read("v IN ('1-__HIVE_DEFAULT_PARTITION__', '2-7')");
    expect(byValue.rows.sort()).toEqual(['1-__HIVE_DEFAULT_PARTITION__', '2-7']);
    expect(byValue.stats).toMatchObject({ filesTotal: 4, filesPrunedByPartition: 0 });
  });
});
