/**
 * Files to preview: Parquet written by pyarrow (the reference writer, never the reader under
 * test), and the leading bytes of media formats.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { deflateSync } from 'node:zlib';

const root = resolve(__dirname, '..', '..');

/** What scripts/fixtures/make_parquet.py reports about the file it wrote. */
export interface ParquetFixture {
  path: string;
  rows: number;
  rowGroups: number;
  size: number;
  /** Compressed size of the first row group's column chunks. */
  firstRowGroupBytes: number;
}

/**
 * Writes a Parquet file with pyarrow (scripts/fixtures/make_parquet.py, in the venv that
 * scripts/install-test-tools.sh creates). Fails, never skips, when the venv is missing.
 */
export function makeParquet(path: string, rows = 200_000, rowGroupSize = 20_000): ParquetFixture {
  const python = resolve(root, '.tools', 'venv', 'bin', 'python');
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh (it creates the venv with pyarrow).`);
  const out = execFileSync(python, [resolve(root, 'scripts', 'fixtures', 'make_parquet.py'), path, String(rows), String(rowGroupSize)], { encoding: 'utf8' });
  return JSON.parse(out.trim()) as ParquetFixture;
}

/**
 * Row `i` of a make_parquet.py file as preview shows it: int64 as a decimal string, the
 * timestamp as ISO-8601, null kept.
 */
export function parquetRow(i: number): unknown[] {
  return [
    String(i), `name-${String(i).padStart(6, '0')}`, i * 0.25 + 0.5,
    new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(), i % 3 === 0 ? null : `note ${i}`, i % 2 === 0,
  ];
}

/** The columns of a make_parquet.py file. */
export const PARQUET_COLUMNS = ['id', 'name', 'price', 'ts', 'note', 'flag'];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** A complete, valid 1x1 RGB PNG: signature, IHDR, IDAT, IEND. */
export function pngBytes(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0); // width
  ihdr.writeUInt32BE(1, 4); // height
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0]))), pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The start of a PDF: its header line and a first object, as real files begin. */
export function pdfBytes(): Buffer {
  return Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n', 'latin1');
}
