/**
 * Avro object container files (the specification's "Object Container Files") read through
 * ranged reads: the header (magic, metadata with `avro.schema` and `avro.codec`, sync marker),
 * then the data blocks one at a time (object count, byte size, data, sync marker checked).
 * Memory holds one read chunk and one block.
 */
import type { TableStorage } from '../storage';
import { checkCodec, decompressBlock } from './codecs';
import { AvroFileError } from './errors';

const MAGIC = [0x4f, 0x62, 0x6a, 0x01]; // "Obj" 1
/** Bytes read at once; a larger block is read whole. */
const CHUNK = 1 << 20;

/** A container file's header. */
export interface AvroHeader {
  /** The writer's schema, parsed from `avro.schema` (integers beyond 2^53, such as a long's default, as bigints). */
  schema: unknown;
  /** `avro.schema` as text. */
  schemaText: string;
  /** `avro.codec`, `null` when absent. */
  codec: string;
  /** Every metadata entry, as bytes. */
  metadata: Map<string, Uint8Array>;
  sync: Uint8Array;
  /** Where the first block starts. */
  dataStart: number;
}

/** One block's objects, uncompressed. */
export interface AvroBlock {
  index: number;
  count: number;
  /** The objects' encodings, back to back. */
  data: Uint8Array;
}

/** Sequential reads of one object through ranged reads, a chunk at a time. */
export class ChunkedReader {
  private buffer: Uint8Array = new Uint8Array(0);
  private bufferStart = 0;
  /** The position of the next byte to read. */
  pos = 0;

  constructor(private readonly storage: TableStorage, readonly key: string, readonly size: number, private readonly chunk = CHUNK) {}

  /** Whether every byte has been read. */
  get done(): boolean {
    return this.pos >= this.size;
  }

  /** Makes bytes [pos, pos + n) available (fewer at the end of the object). */
  private async ensure(n: number): Promise<void> {
    const end = Math.min(this.size, this.pos + n);
    if (this.pos >= this.bufferStart && end <= this.bufferStart + this.buffer.length) return;
    const readEnd = Math.min(this.size, Math.max(end, this.pos + this.chunk));
    this.buffer = await this.storage.readRange(this.key, this.pos, readEnd);
    this.bufferStart = this.pos;
    if (this.buffer.length < end - this.pos) throw new AvroFileError(`${this.key}: the object ends at ${this.bufferStart + this.buffer.length} bytes, before its ${end - this.pos} bytes at ${this.pos}`);
  }

  /** The next `n` bytes. */
  async bytes(n: number): Promise<Uint8Array> {
    if (this.pos + n > this.size) throw new AvroFileError(`${this.key}: truncated (${n} bytes wanted at ${this.pos} of ${this.size})`);
    await this.ensure(n);
    const at = this.pos - this.bufferStart;
    this.pos += n;
    return this.buffer.subarray(at, at + n);
  }

  /** The next zig-zag varint long, as a number (counts and sizes: safe integers). */
  async long(): Promise<number> {
    await this.ensure(10);
    let value = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.size) throw new AvroFileError(`${this.key}: truncated inside a long at ${this.pos}`);
      const b = this.buffer[this.pos - this.bufferStart] as number;
      this.pos++;
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new AvroFileError(`${this.key}: a long at ${this.pos} is longer than 10 bytes`);
    }
    const n = (value >> 1n) ^ -(value & 1n);
    if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < -BigInt(Number.MAX_SAFE_INTEGER)) throw new AvroFileError(`${this.key}: a count or size of ${n} at ${this.pos}`);
    return Number(n);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads the header of `key` (of `size` bytes); fails on bad magic, a missing schema or an unknown codec. */
export async function readAvroHeader(reader: ChunkedReader): Promise<AvroHeader> {
  const key = reader.key;
  if (reader.size < 4 + 1 + 16) throw new AvroFileError(`${key}: ${reader.size} bytes is too short for an Avro object container file`);
  const magic = await reader.bytes(4);
  if (!MAGIC.every((b, i) => magic[i] === b)) throw new AvroFileError(`${key}: not an Avro object container file (no "Obj\\x01" magic)`);
  const metadata = new Map<string, Uint8Array>();
  for (;;) {
    let count = await reader.long();
    if (count === 0) break;
    if (count < 0) {
      count = -count;
      await reader.long(); // the block's byte size
    }
    for (let i = 0; i < count; i++) {
      const name = utf8.decode(await reader.bytes(await reader.long()));
      metadata.set(name, (await reader.bytes(await reader.long())).slice());
    }
  }
  const sync = (await reader.bytes(16)).slice();
  const schemaBytes = metadata.get('avro.schema');
  if (!schemaBytes) throw new AvroFileError(`${key}: the header has no avro.schema`);
  let schema: unknown;
  const schemaText = utf8.decode(schemaBytes);
  try {
    schema = JSON.parse(schemaText, exactIntegers);
  } catch (err) {
    throw new AvroFileError(`${key}: avro.schema is not JSON: ${(err as Error).message}`);
  }
  const codecBytes = metadata.get('avro.codec');
  const codec = codecBytes ? utf8.decode(codecBytes) : 'null';
  checkCodec(codec, key);
  return { schema, schemaText, codec, metadata, sync, dataStart: reader.pos };
}

/** A JSON reviver keeping integers beyond 2^53 exact, as bigints (Node 22's reviver source text). */
function exactIntegers(this: unknown, _key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?\d+$/.test(context.source)) return BigInt(context.source);
  return value;
}

/** The blocks after the header, each uncompressed, its sync marker checked. */
export async function* readAvroBlocks(reader: ChunkedReader, header: AvroHeader): AsyncGenerator<AvroBlock> {
  reader.pos = header.dataStart;
  for (let index = 0; !reader.done; index++) {
    const start = reader.pos;
    const count = await reader.long();
    const size = await reader.long();
    if (count < 0 || size < 0) throw new AvroFileError(`${reader.key}: block ${index} at ${start} has a negative count or size`);
    const data = await decompressBlock(header.codec, (await reader.bytes(size)).slice(), `${reader.key} block ${index} at ${start}`);
    const sync = await reader.bytes(16);
    if (!sync.every((b, i) => b === header.sync[i])) throw new AvroFileError(`${reader.key}: block ${index} at ${start} does not end with the file's sync marker (corrupt or truncated)`);
    yield { index, count, data };
  }
}
