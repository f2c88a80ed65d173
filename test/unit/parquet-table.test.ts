/**
 * Parquet tables (tables/parquet/): folders of files written by pyarrow, the reference writer
 * (scripts/fixtures/make_parquet_tables.py, run into a temp folder): every codec, hive
 * partitions, schema inference from footers only, conflicts named, exact values.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../harness/temp-dir';
import { LocalTableStorage } from '../../tables/storage-local';
import type { TableStorage } from '../../tables/storage';
import { isParquetDataKey, openParquetTable, ParquetSchemaConflictError } from '../../tables/parquet/table';
import { inferPartitionFields, partitionTexts, partitionValuesOf } from '../../tables/hive-partitions';
import type { TableReader, TableRow } from '../../tables/table-reader';
import { formatDate, formatDecimal, formatTimestampMicros } from '../../tables/values';
import { typeName } from '../../tables/delta/schema';

const root = resolve(__dirname, '..', '..');
const CODECS = ['none', 'snappy', 'gzip', 'brotli', 'lz4', 'zstd'];
const REGIONS = ['eu', 'eu', 'us', 'us', null, null];
let out: string;

beforeAll(() => {
  const python = join(root, '.tools', 'venv', 'bin', 'python');
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
  out = tempDir('parquet-table-');
  execFileSync(python, [join(root, 'scripts', 'fixtures', 'make_parquet_tables.py'), out], { stdio: 'inherit' });
});

/** Counts what a storage is asked for. */
class CountingStorage implements TableStorage {
  wholeReads = 0;
  rangeBytes = 0;
  constructor(private readonly inner: TableStorage) {}
  get location(): string { return this.inner.location; }
  list(prefix: string): AsyncIterable<{ key: string; size: number; lastModified: number }> { return this.inner.list(prefix); }
  read(key: string): Promise<Uint8Array> { this.wholeReads++; return this.inner.read(key); }
  async readRange(key: string, start: number, end: number): Promise<Uint8Array> {
    const bytes = await this.inner.readRange(key, start, end);
    this.rangeBytes += bytes.length;
    return bytes;
  }
  keyOfUri(uri: string): string { return this.inner.keyOfUri(uri); }
}

async function allRows(table: TableReader, options?: Parameters<TableReader['scan']>[0]): Promise<TableRow[]> {
  const rows: TableRow[] = [];
  for await (const batch of table.scan(options)) rows.push(...batch.rows);
  return rows;
}

/** Row i of the codecs file k, as the reader must give it. */
function expectedRow(k: number, i: number): TableRow {
  return {
    id: 2n ** 62n + BigInt(1000 * k + i),
    price: formatDecimal(12345678901234567890n + BigInt(1000 * k + i), 4),
    at: formatTimestampMicros(BigInt(-1 - 1000 * k - i), true),
    d: formatDate(1000 * k + i - 5000),
    name: i % 7 === 0 ? null : `${CODECS[k]}-${i}`,
    tags: [`t${i}`, null],
    point: { x: i, y: i / 2 },
    bucket: k, region: REGIONS[k] ?? null, day: `2024-01-0${k + 1}`,
  };
}

describe('Parquet tables', () => {
  test('the schema comes from the footers alone, with hive folders as typed partition columns after the data columns', async () => {
    const storage = new CountingStorage(new LocalTableStorage(join(out, 'codecs')));
    const table = await openParquetTable(storage);
    const description = await table.describe();
    expect(description.schema.fields.map((f) => [f.name, f.type])).toEqual([
      ['id', { kind: 'primitive', name: 'long' }],
      ['price', { kind: 'decimal', precision: 24, scale: 4 }],
      ['at', { kind: 'primitive', name: 'timestamp' }],
      ['d', { kind: 'primitive', name: 'date' }],
      ['name', { kind: 'primitive', name: 'string' }],
      ['tags', { kind: 'array', elementType: { kind: 'primitive', name: 'string' }, containsNull: true }],
      ['point', { kind: 'struct', fields: [expect.objectContaining({ name: 'x', type: { kind: 'primitive', name: 'integer' } }), expect.objectContaining({ name: 'y', type: { kind: 'primitive', name: 'double' } })] }],
      ['bucket', { kind: 'primitive', name: 'integer' }],
      ['region', { kind: 'primitive', name: 'string' }],
      ['day', { kind: 'primitive', name: 'date' }],
    ]);
    expect(description.partitionColumns).toEqual(['bucket', 'region', 'day']);
    expect(description.fileCount).toBe(6);
    expect(table.files.map((f) => f.key).every((k) => k.endsWith('.parquet') && !k.startsWith('_'))).toBe(true);
    expect(description.bytes).toBe(table.files.reduce((s, f) => s + f.size, 0));
    expect(storage.wholeReads).toBe(0);
  });

  test('opening a table reads the footers only, by ranged reads of the files\' ends', async () => {
    const storage = new CountingStorage(new LocalTableStorage(join(out, 'big')));
    const table = await openParquetTable(storage);
    const { bytes, fileCount } = await table.describe();
    expect(fileCount).toBe(2);
    expect(bytes).toBeGreaterThan(1_000_000);
    expect(storage.wholeReads).toBe(0);
    expect(storage.rangeBytes).toBeLessThanOrEqual(2 * 64 * 1024);
  });

  test('files of every codec pyarrow writes (none, snappy, gzip, brotli, lz4, zstd) read into exact rows, a row group at a time', async () => {
    const table = await openParquetTable(new LocalTableStorage(join(out, 'codecs')));
    const batches: Array<{ file: string; rowGroup: number; count: number }> = [];
    const rows: TableRow[] = [];
    for await (const batch of table.scan()) {
      batches.push({ file: batch.file, rowGroup: batch.rowGroup, count: batch.rows.length });
      rows.push(...batch.rows);
    }
    expect(batches).toHaveLength(18);
    expect(batches.every((b) => b.count === 100)).toBe(true);
    const byCodec = (k: number): TableRow[] => rows.filter((r) => r.bucket === k);
    for (let k = 0; k < CODECS.length; k++) {
      expect(byCodec(k)).toEqual(Array.from({ length: 300 }, (_, i) => expectedRow(k, i)));
    }
    expect(Object.keys(rows[0] as TableRow)).toEqual(['id', 'price', 'at', 'd', 'name', 'tags', 'point', 'bucket', 'region', 'day']);
  });

  test('a scan returns the columns asked for in their order, partition columns too, and stops at the limit', async () => {
    const storage = new CountingStorage(new LocalTableStorage(join(out, 'codecs')));
    const table = await openParquetTable(storage);
    const before = storage.rangeBytes;
    const rows = await allRows(table, { columns: ['day', 'id'], limit: 150 });
    expect(rows).toHaveLength(150);
    expect(rows[0]).toEqual({ day: '2024-01-01', id: 2n ** 62n });
    expect(Object.keys(rows[149] as TableRow)).toEqual(['day', 'id']);
    expect(rows[149]).toEqual({ day: '2024-01-01', id: 2n ** 62n + 149n });
    // Two row groups of one file were enough: far fewer bytes than the table holds.
    expect(storage.rangeBytes - before).toBeLessThan((await table.describe()).bytes / 3);
    expect(() => table.scan({ columns: ['nope'] })).toThrow(/no column nope/);
  });

  test('every other type pyarrow writes maps to an exact table type: small and unsigned integers (uint64 as decimal(20,0)), binary, large and dictionary strings, decimals to 38 digits, nanosecond and zoneless timestamps, maps, nested lists, INT96', async () => {
    const table = await openParquetTable(new LocalTableStorage(join(out, 'types')));
    expect((await table.describe()).schema.fields.map((f) => `${f.name}:${typeName(f.type)}`)).toEqual([
      'i8:byte', 'i16:short', 'u32:long', 'u64:decimal(20,0)', 'u8:integer', 'f32:float', 'bin:binary', 'fixed:binary', 'lstr:string', 'dict:string',
      'd38:decimal(38,3)', 'd9:decimal(9,2)', 'ts_ns:timestamp', 'ts_ms_ntz:timestamp_ntz', 'm:map<string,long>',
      'll:array<array<integer>>', 'sl:array<struct<a:long>>',
    ]);
    expect(await allRows(table)).toEqual([
      {
        i8: -128, i16: -32768, u32: 4294967295n, u64: '18446744073709551615', u8: 255, f32: 1.5, bin: new Uint8Array([0, 255]), fixed: new Uint8Array([97, 98, 99, 100]),
        lstr: 'x', dict: 'a', d38: '-99999999999999999999999999999999999.999', d9: '1234567.89',
        ts_ns: '1969-12-31T23:59:59.999999Z', ts_ms_ntz: '1969-12-31T23:59:59.999000',
        m: new Map([['a', 1n], ['b', null]]), ll: [[1, 2], null, []], sl: [{ a: 2n ** 62n }],
      },
      {
        i8: null, i16: 1, u32: 0n, u64: null, u8: 0, f32: null, bin: null, fixed: new Uint8Array([101, 102, 103, 104]),
        lstr: 'y', dict: 'a', d38: null, d9: null,
        ts_ns: '2023-11-14T22:13:20.123456Z', ts_ms_ntz: '1970-01-01T00:00:00.005000', m: null, ll: null, sl: [],
      },
    ]);
    const int96 = await openParquetTable(new LocalTableStorage(join(out, 'int96')));
    expect(await allRows(int96)).toEqual([{ ts96: '1969-12-31T23:59:59.999999Z' }, { ts96: '2023-11-14T22:13:20.123456Z' }]);
  });

  test('two files that give a column different types fail naming both files, the column and both types', async () => {
    const error = await openParquetTable(new LocalTableStorage(join(out, 'conflict'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParquetSchemaConflictError);
    expect((error as Error).message).toBe('column x is long in a.parquet but string in b.parquet; a table\'s files must agree on each column\'s type');
  });

  test('the schema is inferred from the first 100 files; a later file whose type conflicts fails when the scan reaches it', async () => {
    const table = await openParquetTable(new LocalTableStorage(join(out, 'many')));
    expect(table.schemaFiles).toHaveLength(100);
    expect((await table.describe()).schema.fields.map((f) => f.name)).toEqual(['v']);
    expect((await table.describe()).fileCount).toBe(105);
    const seen: bigint[] = [];
    const error = await (async () => {
      for await (const batch of table.scan()) for (const row of batch.rows) seen.push(row.v as bigint);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(Array.from({ length: 104 }, (_, i) => BigInt(i)));
    expect((error as Error).message).toBe('column v is long in f000.parquet but string in f104.parquet; a table\'s files must agree on each column\'s type');
    // With a larger sample, the conflict is found at once.
    await expect(openParquetTable(new LocalTableStorage(join(out, 'many')), { maxSchemaFiles: 200 })).rejects.toThrow('column v is long in f000.parquet but string in f104.parquet');
  });

  test('data files are the *.parquet keys outside folders and files named with _ or . (other than key=value folders)', () => {
    expect(['a.parquet', 'x=1/b.PARQUET', '_x=1/c.parquet', 'd/e.parquet'].filter(isParquetDataKey)).toEqual(['a.parquet', 'x=1/b.PARQUET', '_x=1/c.parquet', 'd/e.parquet']);
    expect(['_SUCCESS', '_temporary/a.parquet', '.spark-staging/b.parquet', '_delta_log/c.parquet', 'd/_e.parquet', 'f.parquet.crc', 'g=1.parquet/'].filter(isParquetDataKey)).toEqual([]);
  });

  test('hive partition values are typed integer, long, date or string across all files, URI-decoded, and __HIVE_DEFAULT_PARTITION__ is null', () => {
    expect(partitionTexts('a=1/b=x%3Ay/c=__HIVE_DEFAULT_PARTITION__/f.parquet')).toEqual([['a', '1'], ['b', 'x:y'], ['c', null]]);
    const fields = inferPartitionFields([
      'i=1/l=1/d=2024-02-29/s=2024-02-30/m=1/f.parquet',
      'i=-7/l=9007199254740993/d=__HIVE_DEFAULT_PARTITION__/s=2024-01-01/m=x/g.parquet',
    ]);
    expect(partitionValuesOf('i=-7/l=9007199254740993/d=__HIVE_DEFAULT_PARTITION__/s=2024-01-01/m=x/g.parquet', fields))
      .toEqual({ i: -7, l: 9007199254740993n, d: null, s: '2024-01-01', m: 'x' });
    expect(partitionValuesOf('i=1/f.parquet', fields)).toEqual({ i: 1, l: null, d: null, s: null, m: null });
    expect(fields.map((f) => [f.name, f.type])).toEqual([
      ['i', { kind: 'primitive', name: 'integer' }],
      ['l', { kind: 'primitive', name: 'long' }],
      ['d', { kind: 'primitive', name: 'date' }],
      ['s', { kind: 'primitive', name: 'string' }],
      ['m', { kind: 'primitive', name: 'string' }],
    ]);
  });
});
