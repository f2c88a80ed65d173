/**
 * The output side of `tables read`: a read's bytes in each format (tables/read-output.ts) from a
 * local copy of deltalake's CDF table, and the sinks (client/read-output.ts): --out written whole
 * or not at all, Parquet refused on a terminal, unknown formats named.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openReadSink, readFormatOf, writeRead } from '../../client/read-output';
import { openParquetTable } from '../../tables/parquet/table';
import { encodeTableRead, type ReadFormat, type ReadProgress } from '../../tables/read-output';
import { readTableLines, type OpenedTable, type ReadRequest } from '../../tables/registry-ops';
import { jsonLineOfRow } from '../../tables/serialize';
import { LocalTableStorage } from '../../tables/storage-local';
import { tempDir } from '../harness/temp-dir';

const cdf = resolve(__dirname, '..', 'fixtures', 'deltalake-cdf', 'table');
const table: OpenedTable = { name: 'cdf', format: 'delta', source: 'local', location: cdf, storage: new LocalTableStorage(cdf) };

async function encode(format: ReadFormat, request: ReadRequest = {}) {
  const progress: ReadProgress = { rows: 0, bytes: 0 };
  const chunks: Uint8Array[] = [];
  for await (const chunk of encodeTableRead(table, request, format, progress)) chunks.push(chunk);
  return { bytes: Buffer.concat(chunks), progress };
}

async function lines(request: ReadRequest = {}): Promise<string[]> {
  const all: string[] = [];
  for await (const line of readTableLines(table, request)) all.push(line);
  return all;
}

describe('a table read as bytes', () => {
  it('writes JSON lines, CSV with its header, and Parquet of the same rows, counting them', async () => {
    const expected = await lines();
    const jsonl = await encode('jsonl');
    expect(jsonl.bytes.toString()).toBe(expected.map((l) => `${l}\n`).join(''));
    expect(jsonl.progress).toMatchObject({ rows: expected.length, bytes: jsonl.bytes.length, header: { version: 8 } });
    expect(jsonl.progress.header).not.toHaveProperty('schema');

    const csv = (await encode('csv', { columns: ['id', 'big'] })).bytes.toString().split('\r\n');
    expect(csv[0]).toBe('id,big');
    expect(csv).toHaveLength(expected.length + 2); // the header, the rows, the empty string after the last CRLF

    const parquet = await encode('parquet');
    expect(parquet.progress.rows).toBe(expected.length);
    const dir = tempDir('read-output-');
    writeFileSync(join(dir, 'part-0.parquet'), parquet.bytes);
    const back: string[] = [];
    for await (const batch of (await openParquetTable(new LocalTableStorage(dir))).scan()) back.push(...batch.rows.map(jsonLineOfRow));
    expect(back).toEqual(expected);
  });

  it('writes a CSV header and a Parquet schema when no row is read', async () => {
    expect((await encode('csv', { limit: 0, columns: ['name', 'id'] })).bytes.toString()).toBe('name,id\r\n');
    const parquet = await encode('parquet', { limit: 0 });
    expect(parquet.progress.rows).toBe(0);
    expect(parquet.bytes.subarray(0, 4).toString()).toBe('PAR1');
    expect((await encode('jsonl', { limit: 0 })).bytes.length).toBe(0);
  });
});

describe('where a read is written', () => {
  it('names an unknown format and the ones there are', () => {
    expect(readFormatOf(undefined)).toBe('jsonl');
    expect(readFormatOf('parquet')).toBe('parquet');
    expect(() => readFormatOf('xml')).toThrow('tables read: --format xml is not a format. Fix: give one of jsonl, csv, parquet.');
  });

  it('shows --out only once the whole read is written, and leaves nothing when it fails', async () => {
    const dir = tempDir('read-sink-');
    const out = join(dir, 'rows.jsonl');
    const sink = openReadSink(out, 'jsonl', () => undefined);
    await sink.write(Buffer.from('a\n'));
    expect(existsSync(out)).toBe(false);
    await sink.write(Buffer.from('b\n'));
    await sink.commit();
    expect(readFileSync(out, 'utf8')).toBe('a\nb\n');

    const failed = join(dir, 'failed.jsonl');
    async function* failing() {
      yield Buffer.from('a\n');
      throw new Error('the second file is gone');
    }
    await expect(writeRead(failing(), openReadSink(failed, 'jsonl', () => undefined))).rejects.toThrow('the second file is gone');
    expect(readdirSync(dir)).toEqual(['rows.jsonl']);

    const nowhere = join(dir, 'no-such-folder', 'rows.jsonl');
    await expect(writeRead((async function* () { yield Buffer.from('a\n'); })(), openReadSink(nowhere, 'jsonl', () => undefined))).rejects.toThrow(/ENOENT.*no-such-folder/);
    expect(readdirSync(dir)).toEqual(['rows.jsonl']);
  });

  it('refuses Parquet to a terminal before anything is read, and allows text there', () => {
    const was = process.stdout.isTTY;
    Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
    try {
      expect(() => openReadSink(undefined, 'parquet', () => undefined)).toThrow('tables read: Parquet is binary and stdout is a terminal. Fix: give --out FILE, or pipe the output (e.g. > file.parquet).');
      expect(() => openReadSink(undefined, 'jsonl', () => undefined)).not.toThrow();
    } finally {
      Object.defineProperty(process.stdout, 'isTTY', { value: was, configurable: true });
    }
  });
});
