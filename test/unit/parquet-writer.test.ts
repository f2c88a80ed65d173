/**
 * The Parquet writer (tables/parquet-writer/): files read back by pyarrow, the reference reader
 * (scripts/fixtures/parquet_exact_rows.py), and by the connector's own Parquet reader, value for
 * value: longs beyond 2^53, decimal(38,10), microsecond timestamps with and without a zone,
 * dates, unicode, binary, nulls, structs, lists and maps. Streaming, errors and worker threads.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { threadModule } from '../../datasets/thread-module';
import type { DeltaField, DeltaType } from '../../tables/delta/schema';
import { openParquetTable } from '../../tables/parquet/table';
import { encodeParquet, ParquetWriteError } from '../../tables/parquet-writer';
import { jsonLineOfRow, parseJsonLineExact } from '../../tables/serialize';
import { LocalTableStorage } from '../../tables/storage-local';
import type { TableRow, TableSchema } from '../../tables/table-reader';
import { tempDir } from '../harness/temp-dir';

const root = resolve(__dirname, '..', '..');
const python = join(root, '.tools', 'venv', 'bin', 'python');

const field = (name: string, type: DeltaType, nullable = true): DeltaField => ({ name, type, nullable, metadata: {}, physicalName: name });
const p = (name: 'long' | 'integer' | 'short' | 'byte' | 'float' | 'double' | 'boolean' | 'binary' | 'string' | 'date' | 'timestamp' | 'timestamp_ntz'): DeltaType => ({ kind: 'primitive', name });

const SCHEMA: TableSchema = { kind: 'struct', fields: [
  field('id', p('long'), false),
  field('i', p('integer')), field('sh', p('short')), field('b', p('byte')),
  field('f', p('float')), field('d', p('double')), field('ok', p('boolean')),
  field('amount', { kind: 'decimal', precision: 38, scale: 10 }),
  field('price', { kind: 'decimal', precision: 9, scale: 2 }),
  field('day', p('date')), field('at', p('timestamp')), field('local', p('timestamp_ntz')),
  field('name', p('string')), field('raw', p('binary')),
  field('point', { kind: 'struct', fields: [field('x', p('integer'), false), field('label', p('string'))] }),
  field('tags', { kind: 'array', elementType: p('long'), containsNull: true }),
  field('scores', { kind: 'map', keyType: p('string'), valueType: p('double'), valueContainsNull: true }),
] };

function rowOf(n: number): TableRow {
  const big = (1n << 53n) + BigInt(n) * 1_000_003n;
  return {
    id: n % 2 === 0 ? big : -big, i: n - 1_000_000, sh: n % 30000 === 0 ? 0 : -(n % 30000), b: n % 128, f: n % 7 === 0 ? null : 1.5 * (n % 5), d: n / 8,
    ok: n % 3 === 0 ? null : n % 2 === 0,
    amount: n % 4 === 0 ? null : `${n % 2 ? '-' : ''}1234567890123456789012345678.${String(n).padStart(10, '0')}`,
    price: `${n}.${String(n % 100).padStart(2, '0')}`,
    day: n % 5 === 0 ? '1969-12-31' : '2024-02-29',
    at: `2024-03-10T01:59:59.${String(n % 1_000_000).padStart(6, '0')}Z`,
    local: n % 6 === 0 ? null : '0001-01-01T00:00:00.000001',
    name: n % 9 === 0 ? null : n % 9 === 1 ? '' : `ünïcødé ✓ 😀 ${n}`,
    raw: n % 8 === 0 ? null : new Uint8Array([0, 255, n % 256]),
    point: n % 10 === 0 ? null : { x: n, label: n % 3 === 0 ? null : `p${n}` },
    tags: n % 11 === 0 ? null : n % 11 === 1 ? [] : [big, null, BigInt(-n)],
    scores: n % 13 === 0 ? null : new Map<string, number | null>([['a', n / 2], ['b', null]]),
  };
}

/** Writes `batches` to a file in a temp folder through the writer; returns its path and the chunk count. */
async function writeFile(schema: TableSchema, batches: TableRow[][], options?: Parameters<typeof encodeParquet>[2]) {
  const dir = tempDir('parquet-writer-');
  const parts: Uint8Array[] = [];
  for await (const part of encodeParquet(schema, batches, options)) parts.push(part);
  const file = join(dir, 'part-0.parquet');
  writeFileSync(file, Buffer.concat(parts));
  return { dir, file, chunks: parts.length };
}

function pyarrowRead(file: string): { head: { schema: Record<string, string>; rowGroups: number; codecs: string[] }; lines: string[] } {
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
  const [head, ...lines] = execFileSync(python, [join(root, 'scripts', 'fixtures', 'parquet_exact_rows.py'), file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).trimEnd().split('\n');
  return { head: JSON.parse(head!) as never, lines };
}

/** The exact line of a row as the oracle prints it: columns in schema order. */
const expectedLine = (row: TableRow) => jsonLineOfRow(Object.fromEntries(SCHEMA.fields.map((f) => [f.name, row[f.name] ?? null])));

describe('the Parquet writer', () => {
  const rows = Array.from({ length: 2500 }, (_, n) => rowOf(n));
  const batches = [rows.slice(0, 1000), rows.slice(1000, 1001), [], rows.slice(1001)];

  it('writes a file pyarrow reads with the exact types and values, zstd by default, a row group per rowGroupRows', async () => {
    const { file } = await writeFile(SCHEMA, batches, { rowGroupRows: 1000 });
    const { head, lines } = pyarrowRead(file);
    expect(head.schema).toEqual({
      id: 'int64 not null', i: 'int32', sh: 'int16', b: 'int8', f: 'float', d: 'double', ok: 'bool',
      amount: 'decimal128(38, 10)', price: 'decimal128(9, 2)', day: 'date32[day]', at: 'timestamp[us, tz=UTC]', local: 'timestamp[us]',
      name: 'string', raw: 'binary', point: 'struct<x: int32 not null, label: string>', tags: 'list<element: int64>',
      // parquet-rs stores the map's entries field under the column's name in the Arrow schema it embeds; pyarrow shows it.
      scores: "map<string, double ('scores')>",
    });
    expect(head.rowGroups).toBe(3);
    expect(head.codecs).toEqual(['ZSTD']);
    expect(lines).toHaveLength(rows.length);
    lines.forEach((line, n) => expect(line).toBe(expectedLine(rows[n]!)));
    // The first row's long is beyond 2^53, where a double would round it.
    expect((parseJsonLineExact(lines[1]!) as { id: bigint }).id).toBe(-((1n << 53n) + 1_000_003n));
  });

  it('writes a file the connector\'s Parquet reader reads back row for row', async () => {
    const { dir } = await writeFile(SCHEMA, batches, { compression: 'snappy', rowGroupRows: 700 });
    const table = await openParquetTable(new LocalTableStorage(dir));
    const back: string[] = [];
    for await (const batch of table.scan()) back.push(...batch.rows.map(jsonLineOfRow));
    expect(back).toEqual(rows.map(expectedLine));
  });

  it('writes timestamps given in other ISO 8601 forms (no fraction, an offset, a bigint of microseconds) at the same instant', async () => {
    const schema: TableSchema = { kind: 'struct', fields: [field('at', p('timestamp')), field('local', p('timestamp_ntz'))] };
    const { file } = await writeFile(schema, [[
      { at: '2024-01-02T03:04:05Z', local: '2024-01-02T03:04:05' },
      { at: '2024-01-02T05:04:05.5+02:00', local: 1_704_164_645_500_000n },
    ]]);
    expect(pyarrowRead(file).lines).toEqual([
      '{"at":"2024-01-02T03:04:05.000000Z","local":"2024-01-02T03:04:05.000000"}',
      '{"at":"2024-01-02T03:04:05.500000Z","local":"2024-01-02T03:04:05.500000"}',
    ]);
  });

  it('writes snappy and uncompressed column chunks when asked', async () => {
    expect(pyarrowRead((await writeFile(SCHEMA, [rows.slice(0, 10)], { compression: 'snappy' })).file).head.codecs).toEqual(['SNAPPY']);
    expect(pyarrowRead((await writeFile(SCHEMA, [rows.slice(0, 10)], { compression: 'none' })).file).head.codecs).toEqual(['UNCOMPRESSED']);
  });

  it('writes a table with no rows as a file with the schema and no row group', async () => {
    const { file } = await writeFile(SCHEMA, []);
    const { head, lines } = pyarrowRead(file);
    expect(head.rowGroups).toBe(0);
    expect(Object.keys(head.schema)).toEqual(SCHEMA.fields.map((f) => f.name));
    expect(lines).toEqual([]);
  });

  it('yields the first row group before it has read the last batch, so memory holds row groups, not the table', async () => {
    let pulled = 0;
    async function* source() {
      for (let g = 0; g < 6; g++) {
        pulled++;
        yield rows.slice(g * 400, g * 400 + 400);
      }
    }
    const seenAtChunk: number[] = [];
    const parts: Uint8Array[] = [];
    for await (const part of encodeParquet(SCHEMA, source(), { rowGroupRows: 400 })) {
      seenAtChunk.push(pulled);
      parts.push(part);
    }
    expect(seenAtChunk[0]).toBeLessThan(6);
    expect(parts.length).toBeGreaterThanOrEqual(6);
  });

  it('stops reading its source when the caller stops early', async () => {
    let closed = false;
    let pulled = 0;
    async function* source() {
      try {
        for (;;) {
          pulled++;
          yield rows.slice(0, 100);
        }
      } finally {
        closed = true;
      }
    }
    for await (const part of encodeParquet(SCHEMA, source(), { rowGroupRows: 100 })) {
      expect(part.length).toBeGreaterThan(0);
      break;
    }
    expect(closed).toBe(true);
    expect(pulled).toBeLessThan(10);
  });

  it('fails naming the column and row of a value that does not fit, a null in a non-nullable field, and too many digits', async () => {
    const bad = async (row: TableRow) => writeFile(SCHEMA, [[rowOf(1), { ...rowOf(2), ...row }]]);
    await expect(bad({ id: 'seven' })).rejects.toThrow(new ParquetWriteError('column id, row 1: "seven" is not a long'));
    await expect(bad({ id: null })).rejects.toThrow('column id, row 1: null in a field that is not nullable (long not null)');
    await expect(bad({ point: { x: null, label: 'a' } })).rejects.toThrow('column point.x, row 1: null in a field that is not nullable');
    await expect(bad({ price: '12345678.00' })).rejects.toThrow('column price, row 1: "12345678.00" is not a decimal(9,2) (more than 9 digits)');
    await expect(bad({ price: '1.234' })).rejects.toThrow('column price, row 1: "1.234" is not a decimal(9,2)');
    await expect(bad({ i: 2 ** 31 })).rejects.toThrow('column i, row 1: 2147483648 is not a integer (outside the 32-bit range)');
    await expect(bad({ tags: [1n, 'x'] })).rejects.toThrow('column tags.element, row 1: "x" is not a long');
    await expect(bad({ at: '2024-01-01T00:00:00.0000001Z' })).rejects.toThrow('column at, row 1');
  });

  it('fails with its source\'s error when the source fails midway', async () => {
    async function* source() {
      yield rows.slice(0, 100);
      throw new Error('the table\'s second file is gone');
    }
    const consume = async () => { for await (const part of encodeParquet(SCHEMA, source(), { rowGroupRows: 50 })) expect(part.length).toBeGreaterThan(0); };
    await expect(consume()).rejects.toThrow('the table\'s second file is gone');
  });

  it('fails before reading any row on a type Parquet output cannot hold', async () => {
    let pulled = false;
    const schema: TableSchema = { kind: 'struct', fields: [field('wide', { kind: 'decimal', precision: 40, scale: 2 })] };
    const gen = encodeParquet(schema, (function* () { pulled = true; yield []; })());
    await expect(gen.next()).rejects.toThrow('column wide: decimal(40,2) cannot be written as a Parquet decimal');
    expect(pulled).toBe(false);
  });

  it('writes the same file inside a worker thread', async () => {
    const dir = tempDir('parquet-writer-thread-');
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, [
      "import { parentPort, workerData } from 'node:worker_threads';",
      `import { encodeParquet } from ${JSON.stringify(join(root, 'tables', 'parquet-writer'))};`,
      'void (async () => {',
      '  const parts: Uint8Array[] = [];',
      '  for await (const part of encodeParquet(workerData.schema, [workerData.rows])) parts.push(part);',
      '  parentPort!.postMessage(Buffer.concat(parts));',
      '})();',
    ].join('\n'));
    const found = threadModule(dir, 'entry');
    const some = rows.slice(0, 50);
    const worker = new Worker(found.filename, { execArgv: found.execArgv, workerData: { schema: SCHEMA, rows: some } });
    try {
      const bytes = await new Promise<Uint8Array>((ok, fail) => worker.once('message', ok).once('error', fail));
      const file = join(dir, 'from-thread.parquet');
      writeFileSync(file, bytes);
      expect(pyarrowRead(file).lines).toEqual(some.map(expectedLine));
    } finally {
      await worker.terminate();
    }
  });
});
