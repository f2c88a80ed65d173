/**
 * The first rows of one Avro object container file, for `preview SOURCE KEY`, read through
 * ranged reads of its head only: 64 KiB chunks from the start (the header, then the first
 * blocks), and no further than the blocks holding the rows asked for. A block larger than a
 * chunk is read whole (a container block is decompressed as one unit), up to
 * {@link MAX_PREVIEW_BLOCK} bytes. Values are exact (schema.ts): 64-bit integers as bigints,
 * decimals and timestamps as their exact text; nested values as their exact JSON text
 * (tables/serialize.ts).
 */
import type * as avro from 'avsc';
import { jsonOfValue } from '../serialize';
import type { ByteSource, StoredObject, TableStorage } from '../storage';
import type { TableValue } from '../values';
import { ChunkedReader, readAvroBlocks, readAvroHeader } from './container';
import { AvroFileError } from './errors';
import { avroRecordShape, avscType } from './schema';

/** Bytes fetched per ranged read. */
const PREVIEW_CHUNK = 64 * 1024;
/** The largest block a preview reads (writers' blocks are 16 KiB to 1 MiB; Java's default sync interval is 64 KiB). */
export const MAX_PREVIEW_BLOCK = 64 * 1024 * 1024;

/** The first rows of an Avro file: column names, and rows of top-level values in column order. */
export interface AvroRowsPreview {
  columns: string[];
  /** Scalars as exact values (bigint, decimal and timestamp text); lists, maps and records as their JSON text. */
  rows: Array<Array<TableValue>>;
  codec: string;
}

/** A {@link TableStorage} of the single object `key` behind `source` (the container reader reads through one). */
function singleObject(source: ByteSource, key: string): TableStorage {
  const readRange = async (k: string, start: number, end: number): Promise<Uint8Array> => {
    if (k !== key) throw new AvroFileError(`${key}: no other object (${k}) can be read here`);
    if (end - start > MAX_PREVIEW_BLOCK + PREVIEW_CHUNK) {
      throw new AvroFileError(`${key}: a block of ${end - start} bytes at ${start} is larger than a preview reads (${MAX_PREVIEW_BLOCK} bytes). Fix: read it as a table (virtualTables: with format avro, then tables read --limit)`);
    }
    return new Uint8Array(await source.slice(start, end));
  };
  return {
    location: key,
    list: (): AsyncIterable<StoredObject> => { throw new AvroFileError(`${key}: a preview lists nothing`); },
    read: (k) => readRange(k, 0, source.byteLength),
    readRange,
    keyOfUri: (uri) => { throw new AvroFileError(`${key}: a preview follows no URI (${uri})`); },
  };
}

/** One cell: nested values as exact JSON text, the rest as they are. */
function cellOf(value: TableValue): TableValue {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  return jsonOfValue(value);
}

/** Reads the header and as many blocks as `limit` rows need from `source`, the Avro file `key`. */
export async function previewAvroRows(source: ByteSource, key: string, limit: number): Promise<AvroRowsPreview> {
  const reader = new ChunkedReader(singleObject(source, key), key, source.byteLength, PREVIEW_CHUNK);
  const header = await readAvroHeader(reader);
  const type: avro.Type = avscType(header.schema, key);
  const shape = avroRecordShape(header.schema, type, key);
  const columns = shape.fields.map((f) => f.name);
  const rows: TableValue[][] = [];
  if (limit <= 0) return { columns, rows, codec: header.codec };
  for await (const block of readAvroBlocks(reader, header)) {
    const buf = Buffer.from(block.data.buffer, block.data.byteOffset, block.data.byteLength);
    let pos = 0;
    for (let i = 0; i < block.count && rows.length < limit; i++) {
      const { value, offset } = type.decode(buf, pos);
      if (offset < 0) throw new AvroFileError(`${key} block ${block.index}: object ${i} of ${block.count} runs past the block's end`);
      pos = offset;
      const record = shape.convert(value);
      rows.push(columns.map((c) => cellOf(record[c] ?? null)));
    }
    if (rows.length >= limit) break;
  }
  return { columns, rows, codec: header.codec };
}
