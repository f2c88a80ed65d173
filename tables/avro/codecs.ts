/**
 * The block codecs of Avro object container files (the specification's "Required Codecs" and
 * "Optional Codecs"): null, deflate (raw RFC 1951), snappy (the block is followed by the
 * big-endian CRC-32 of the uncompressed data, which is checked), zstandard. bzip2 and xz are
 * refused by name.
 */
import { crc32, inflateRawSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { AvroFileError } from './errors';

/** The codecs this reader reads. */
export const AVRO_CODECS = ['null', 'deflate', 'snappy', 'zstandard'] as const;

type Snappy = (input: Uint8Array, outputLength: number) => Uint8Array;
let snappy: Promise<Snappy> | undefined;

/** hysnappy ships an ES module only: loaded on the first snappy block. */
async function loadSnappy(): Promise<Snappy> {
  snappy ??= import('hysnappy').then((m) => m.snappyUncompress);
  return snappy;
}

/** Whether the file's codec is one this reader reads; fails naming it otherwise. */
export function checkCodec(codec: string, where: string): void {
  if (!(AVRO_CODECS as readonly string[]).includes(codec)) {
    throw new AvroFileError(`${where}: codec "${codec}" is not read (codecs read: ${AVRO_CODECS.join(', ')})`);
  }
}

/** The uncompressed bytes of one block's data. */
export async function decompressBlock(codec: string, data: Uint8Array, where: string): Promise<Uint8Array> {
  try {
    switch (codec) {
      case 'null': return data;
      case 'deflate': return new Uint8Array(inflateRawSync(data));
      case 'zstandard': return zstdDecompress(data);
      case 'snappy': {
        if (data.length < 4) throw new AvroFileError('the snappy block is shorter than its checksum');
        const body = data.subarray(0, data.length - 4);
        const out = (await loadSnappy())(body, snappyLength(body));
        const stored = new DataView(data.buffer, data.byteOffset + data.length - 4, 4).getUint32(0, false);
        const actual = crc32(out);
        if (stored !== actual) {
          throw new AvroFileError(`the snappy block's CRC-32 is ${hex(stored)} but its data's is ${hex(actual)}`);
        }
        return out;
      }
      default:
        checkCodec(codec, where);
        return data;
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new AvroFileError(`${where}: cannot decompress a ${codec} block: ${message}`);
  }
}

/** The uncompressed length a raw snappy stream starts with (a little-endian base-128 varint). */
function snappyLength(body: Uint8Array): number {
  let length = 0;
  for (let i = 0, shift = 1; i < 5 && i < body.length; i++, shift *= 128) {
    const b = body[i] as number;
    length += (b & 0x7f) * shift;
    if ((b & 0x80) === 0) return length;
  }
  throw new AvroFileError('the snappy block has no valid length');
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
