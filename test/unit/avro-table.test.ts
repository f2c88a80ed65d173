/**
 * Avro tables and previews (tables/avro/): object container files written by fastavro, the
 * reference writer (scripts/fixtures/make_avro_tables.py, run into a temp folder): every codec,
 * logical types, longs beyond 2^53, schema evolution by Avro's resolution rules, a corrupt
 * snappy block.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../harness/temp-dir';
import { LocalTableStorage } from '../../tables/storage-local';
import { openAvroTable, readAvroRows } from '../../tables/avro/table';
import { AvroFileError, AvroSchemaError } from '../../tables/avro/errors';
import { checkLogicalTypes } from '../../tables/avro/schema';
import { checkCodec } from '../../tables/avro/codecs';
import type { TableReader, TableRow } from '../../tables/table-reader';
import { formatDate, formatDecimal, formatTimestampMicros } from '../../tables/values';

const root = resolve(__dirname, '..', '..');
const CODECS = ['null', 'deflate', 'snappy', 'zstandard'];
let out: string;

beforeAll(() => {
  const python = join(root, '.tools', 'venv', 'bin', 'python');
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
  out = tempDir('avro-table-');
  execFileSync(python, [join(root, 'scripts', 'fixtures', 'make_avro_tables.py'), out], { stdio: 'inherit' });
});

async function allRows(table: TableReader, options?: Parameters<TableReader['scan']>[0]): Promise<TableRow[]> {
  const rows: TableRow[] = [];
  for await (const batch of table.scan(options)) rows.push(...batch.rows);
  return rows;
}

/** Row i of the file of codec k, as the reader must give it. */
function expectedRow(k: number, i: number): TableRow {
  const n = 1000 * k + i;
  return {
    id: 2n ** 62n + BigInt(n),
    price: formatDecimal(-(10n ** 19n) + BigInt(n), 4),
    amount: formatDecimal(10n ** 18n + BigInt(i), 2),
    d: formatDate(n - 5000),
    ts_ms: formatTimestampMicros(BigInt(-n) * 1000n, true),
    ts_us: formatTimestampMicros(BigInt(-1 - n), true),
    local: formatTimestampMicros(BigInt(n), false),
    u: `00000000-0000-0000-0000-${n.toString(16).padStart(12, '0')}`,
    name: i % 5 === 0 ? null : `${CODECS[k]}-${i}`,
    tags: ['a', `b${i}`],
    attrs: new Map([['k', 2n ** 60n + BigInt(i)]]),
    kind: i % 2 === 0 ? 'RED' : 'GREEN',
    choice: [null, { member0: i, member1: null }, { member0: null, member1: `s${i}` }][i % 3] as TableRow[string],
    inner: { x: i, y: i % 2 ? null : i / 4 },
  };
}

describe('Avro tables', () => {
  test('the schema comes from the header, with logical types as exact table types', async () => {
    const table = await openAvroTable(new LocalTableStorage(join(out, 'codecs')));
    const { schema, fileCount, partitionColumns, bytes, format } = await table.describe();
    expect({ format, fileCount, partitionColumns }).toEqual({ format: 'avro', fileCount: 4, partitionColumns: [] });
    expect(bytes).toBe(table.files.reduce((s, f) => s + f.size, 0));
    const p = (name: string) => ({ kind: 'primitive', name });
    expect(schema.fields.map((f) => [f.name, f.type, f.nullable])).toEqual([
      ['id', p('long'), false],
      ['price', { kind: 'decimal', precision: 20, scale: 4 }, false],
      ['amount', { kind: 'decimal', precision: 20, scale: 2 }, false],
      ['d', p('date'), false],
      ['ts_ms', p('timestamp'), false],
      ['ts_us', p('timestamp'), false],
      ['local', p('timestamp_ntz'), false],
      ['u', p('string'), false],
      ['name', p('string'), true],
      ['tags', { kind: 'array', elementType: p('string'), containsNull: false }, false],
      ['attrs', { kind: 'map', keyType: p('string'), valueType: p('long'), valueContainsNull: false }, false],
      ['kind', p('string'), false],
      ['choice', { kind: 'struct', fields: [expect.objectContaining({ name: 'member0', type: p('integer') }), expect.objectContaining({ name: 'member1', type: p('string') })] }, true],
      ['inner', { kind: 'struct', fields: [expect.objectContaining({ name: 'x', type: p('integer'), nullable: false }), expect.objectContaining({ name: 'y', type: p('double'), nullable: true })] }, false],
    ]);
  });

  test('files of every codec (null, deflate, snappy with its CRC-32, zstandard) read into exact rows, a block at a time', async () => {
    const table = await openAvroTable(new LocalTableStorage(join(out, 'codecs')));
    const perFile = new Map<string, number>();
    const rows: TableRow[] = [];
    for await (const batch of table.scan()) {
      perFile.set(batch.file, (perFile.get(batch.file) ?? 0) + 1);
      rows.push(...batch.rows);
    }
    // Files in key order: deflate, null, snappy, zstandard; several blocks each.
    expect([...perFile.keys()]).toEqual(['part-deflate.avro', 'part-null.avro', 'part-snappy.avro', 'part-zstandard.avro']);
    expect([...perFile.values()].every((blocks) => blocks > 3)).toBe(true);
    const order = [1, 0, 2, 3];
    expect(rows).toEqual(order.flatMap((k) => Array.from({ length: 40 }, (_, i) => expectedRow(k, i))));
  });

  test('a scan returns the columns asked for in their order and stops at the limit', async () => {
    const table = await openAvroTable(new LocalTableStorage(join(out, 'codecs')));
    const rows = await allRows(table, { columns: ['name', 'id'], limit: 45 });
    expect(rows).toHaveLength(45);
    expect(rows[0]).toEqual({ name: null, id: 2n ** 62n + 1000n });
    expect(rows[44]).toEqual({ name: 'null-4', id: 2n ** 62n + 4n });
    expect(Object.keys(rows[44] as TableRow)).toEqual(['name', 'id']);
    expect(() => table.scan({ columns: ['nope'] })).toThrow(/no column nope/);
  });

  test('older files are resolved to the newest file\'s schema: promotions, aliases, defaults (longs beyond 2^53 too) and dropped fields', async () => {
    const table = await openAvroTable(new LocalTableStorage(join(out, 'evolve')));
    expect(table.schemaFile).toBe('new.avro');
    expect((await table.describe()).schema.fields.map((f) => f.name)).toEqual(['id', 'full_name', 'extra', 'score', 'big']);
    // Files in key order: new.avro, then old.avro resolved to new.avro's schema.
    expect(await allRows(table)).toEqual([
      { id: 2n ** 53n + 1n, full_name: 'n1', extra: 'e', score: 2.5, big: 2n ** 63n - 1n },
      { id: 2n ** 53n + 2n, full_name: 'n2', extra: null, score: 3.5, big: -(2n ** 63n) },
      { id: 1n, full_name: 'one', extra: null, score: 1.5, big: 9007199254740993n },
      { id: 2n, full_name: 'two', extra: null, score: 1.5, big: 9007199254740993n },
    ]);
  });

  test('hive key=value folders are typed partition columns after the record\'s fields, and a folder\'s value wins over a stored one', async () => {
    const table = await openAvroTable(new LocalTableStorage(join(out, 'parted')));
    const { schema, partitionColumns, fileCount } = await table.describe();
    expect({ partitionColumns, fileCount }).toEqual({ partitionColumns: ['day', 'n'], fileCount: 4 });
    expect(schema.fields.map((f) => [f.name, f.type])).toEqual([
      ['v', { kind: 'primitive', name: 'string' }], ['day', { kind: 'primitive', name: 'date' }], ['n', { kind: 'primitive', name: 'integer' }],
    ]);
    expect(await allRows(table)).toEqual([
      { v: '1-7', day: '2024-01-01', n: 7 }, { v: '1-__HIVE_DEFAULT_PARTITION__', day: '2024-01-01', n: null },
      { v: '2-7', day: '2024-01-02', n: 7 }, { v: '2-__HIVE_DEFAULT_PARTITION__', day: '2024-01-02', n: null },
    ].sort((a, b) => (a.v < b.v ? -1 : 1)));
    expect(await allRows(table, { columns: ['n', 'v'], limit: 1 })).toEqual([{ n: 7, v: '1-7' }]);
  });

  test('a file whose schema does not resolve to the table\'s fails naming the file', async () => {
    const error = await openAvroTable(new LocalTableStorage(join(out, 'clash'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AvroSchemaError);
    expect((error as Error).message).toMatch(/^old\.avro: its schema does not resolve to the table's \(the schema of new\.avro\)/);
  });

  test('a file whose decimal scale or timestamp unit differs from the table\'s fails naming the field and both types, never reading wrong values', async () => {
    await expect(openAvroTable(new LocalTableStorage(join(out, 'scale')))).rejects.toThrow(
      'old.avro: field p is decimal(10,2) in this file but decimal(10,4) in the table\'s schema; Avro does not resolve one to the other');
    const record = (type: unknown) => ({ type: 'record', name: 'T', fields: [{ name: 'a', type: { type: 'array', items: ['null', type] } }] });
    expect(() => checkLogicalTypes(record({ type: 'long', logicalType: 'timestamp-micros' }), record({ type: 'long', logicalType: 'timestamp-millis' }), 'f.avro'))
      .toThrow('f.avro: field a[] is timestamp-millis in this file but timestamp-micros in the table\'s schema');
    expect(() => checkLogicalTypes(record({ type: 'string', logicalType: 'uuid' }), record('string'), 'f.avro')).not.toThrow();
  });
});

describe('Avro previews', () => {
  test('the first N rows of one object are read with its own schema, stopping at N', async () => {
    const storage = new LocalTableStorage(out);
    const preview = await readAvroRows(storage, 'one.avro', 3);
    expect(preview.codec).toBe('snappy');
    expect(preview.fields.map((f) => f.name)).toContain('attrs');
    expect(preview.rows).toEqual([0, 1, 2].map((i) => expectedRow(2, i)));
    expect((await readAvroRows(storage, 'one.avro', 1000)).rows).toHaveLength(40);
    expect((await readAvroRows(storage, 'one.avro', 0)).rows).toEqual([]);
  });

  test('a snappy block whose CRC-32 does not match its data fails naming the file and block', async () => {
    const error = await readAvroRows(new LocalTableStorage(out), 'bad-crc.avro', 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AvroFileError);
    expect((error as Error).message).toMatch(/^bad-crc\.avro block \d+ at \d+: cannot decompress a snappy block: the snappy block's CRC-32 is 0x[0-9a-f]{8} but its data's is 0x[0-9a-f]{8}$/);
  });

  test('codecs other than null, deflate, snappy and zstandard are refused by name', () => {
    expect(() => checkCodec('xz', 'f.avro')).toThrow('f.avro: codec "xz" is not read (codecs read: null, deflate, snappy, zstandard)');
    expect(() => checkCodec('bzip2', 'f.avro')).toThrow('codec "bzip2" is not read');
  });

  test('an object that is not an Avro container file, or is missing, fails saying so', async () => {
    const storage = new LocalTableStorage(root);
    await expect(readAvroRows(storage, 'package.json', 1, statSync(join(root, 'package.json')).size)).rejects.toThrow('package.json: not an Avro object container file');
    await expect(readAvroRows(new LocalTableStorage(out), 'none.avro', 1)).rejects.toThrow('no object "none.avro"');
  });
});
