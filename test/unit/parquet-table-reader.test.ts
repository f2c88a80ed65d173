/**
 * The one reader interface (tables/table-reader.ts) over every format built: Parquet folders,
 * Avro folders and Delta snapshots opened by format name (tables/readers.ts), each described and
 * scanned the same way.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../harness/temp-dir';
import { LocalTableStorage } from '../../tables/storage-local';
import { openTableReader } from '../../tables/readers';
import type { TableReader, TableRow } from '../../tables/table-reader';

const root = resolve(__dirname, '..', '..');
let out: string;

beforeAll(() => {
  const python = join(root, '.tools', 'venv', 'bin', 'python');
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
  out = tempDir('table-reader-');
  execFileSync(python, [join(root, 'scripts', 'fixtures', 'make_parquet_tables.py'), join(out, 'parquet')], { stdio: 'inherit' });
  execFileSync(python, [join(root, 'scripts', 'fixtures', 'make_avro_tables.py'), join(out, 'avro')], { stdio: 'inherit' });
});

async function firstRows(reader: TableReader, columns: string[], limit: number): Promise<TableRow[]> {
  const rows: TableRow[] = [];
  for await (const batch of reader.scan({ columns, limit })) rows.push(...batch.rows);
  return rows;
}

describe('one reader interface for every format', () => {
  test('Parquet, Avro and Delta tables are described and scanned alike, with columns and a limit', async () => {
    const parquet = await openTableReader('parquet', new LocalTableStorage(join(out, 'parquet', 'codecs')));
    const avro = await openTableReader('avro', new LocalTableStorage(join(out, 'avro', 'codecs')));
    const delta = await openTableReader('delta', new LocalTableStorage(join(root, 'test', 'fixtures', 'delta-codecs')));

    expect(await parquet.describe()).toMatchObject({ format: 'parquet', fileCount: 6, partitionColumns: ['bucket', 'region', 'day'] });
    expect(await avro.describe()).toMatchObject({ format: 'avro', fileCount: 4, partitionColumns: [] });
    const deltaDescription = await delta.describe();
    expect(deltaDescription).toMatchObject({ format: 'delta', fileCount: 4, partitionColumns: [] });
    expect(deltaDescription.version).toEqual(expect.any(Number));
    expect(deltaDescription.bytes).toBeGreaterThan(0);

    expect(await firstRows(parquet, ['id', 'bucket'], 2)).toEqual([{ id: 2n ** 62n, bucket: 0 }, { id: 2n ** 62n + 1n, bucket: 0 }]);
    expect(await firstRows(avro, ['kind', 'id'], 2)).toEqual([{ kind: 'RED', id: 2n ** 62n + 1000n }, { kind: 'GREEN', id: 2n ** 62n + 1001n }]);
    const deltaRows = await firstRows(delta, ['price', 'id'], 3);
    expect(deltaRows).toHaveLength(3);
    expect(deltaRows.every((r) => Object.keys(r).join() === 'price,id' && r.price === '1234567890123456.7890' && typeof r.id === 'bigint')).toBe(true);
    expect(() => delta.scan({ columns: ['nope'] })).toThrow(/no column nope/);
  });

  test('a folder of Parquet files opened as an Iceberg table is refused, saying it has no Iceberg metadata', async () => {
    await expect(openTableReader('iceberg', new LocalTableStorage(out))).rejects.toThrow('no Iceberg metadata');
  });
});
