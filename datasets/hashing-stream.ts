/**
 * One pass over the bytes: SHA-256 (what datasets record), MD5 (to compare with single-part
 * ETags) or CRC32 or CRC-64/NVME (to compare with a stored checksum) and a byte count, computed
 * as the bytes flow to their destination.
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { crc64nvmeHex, crc64nvmeStart, crc64nvmeTables, crc64nvmeUpdate } from './crc64nvme';

/** Digests available once the stream has ended. */
export interface StreamDigests {
  sha256: string;
  md5?: string;
  /** CRC32 (zlib's, as S3's x-amz-checksum-crc32), hex, when asked for. */
  crc32?: string;
  /** CRC-64/NVME (S3's x-amz-checksum-crc64nvme), hex, when asked for. */
  crc64nvme?: string;
  size: number;
}

/** Digests computed besides SHA-256. */
export interface DigestChoice {
  /** CRC32, to compare with a stored x-amz-checksum-crc32 (about 8× cheaper than MD5). */
  crc32?: boolean;
  /** CRC-64/NVME, to compare with a stored x-amz-checksum-crc64nvme (about 2× MD5's cost). */
  crc64nvme?: boolean;
}

/** CRC-64/NVME's tables, built once per process on first use. */
let crc64Tables: Uint32Array[] | undefined;

/** Returns a Readable passing `source`'s bytes through, and the digests once it ends. */
export function hashing(source: Readable, onBytes?: (n: number) => void, withMd5 = true, choice: DigestChoice = {}): { stream: Readable; digests: () => StreamDigests } {
  const sha = createHash('sha256');
  const md5 = withMd5 ? createHash('md5') : undefined;
  let crc = choice.crc32 ? 0 : undefined;
  const crc64 = choice.crc64nvme ? { tables: (crc64Tables ??= crc64nvmeTables()), register: crc64nvmeStart() } : undefined;
  let size = 0;
  let result: StreamDigests | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sha.update(chunk);
      md5?.update(chunk);
      if (crc !== undefined) crc = crc32(chunk, crc);
      if (crc64) crc64nvmeUpdate(crc64.tables, crc64.register, chunk);
      size += chunk.length;
      onBytes?.(chunk.length);
      done(null, chunk);
    },
    flush(done) {
      result = { sha256: sha.digest('hex'), md5: md5?.digest('hex'), crc32: crc === undefined ? undefined : hex32(crc), size,
        ...(crc64 ? { crc64nvme: crc64nvmeHex(crc64.register) } : {}) };
      done();
    },
  });
  source.on('error', (err) => stream.destroy(err));
  source.pipe(stream);
  return {
    stream,
    digests: () => {
      if (!result) throw new Error('digests read before the stream ended');
      return result;
    },
  };
}

const hex32 = (n: number) => n.toString(16).padStart(8, '0');

/** The digests of bytes already in memory. */
export function digestsOf(data: Buffer, withMd5 = true, withCrc32 = false): StreamDigests {
  const md5 = withMd5 ? createHash('md5').update(data).digest('hex') : undefined;
  const crc = withCrc32 ? hex32(crc32(data)) : undefined;
  return { sha256: createHash('sha256').update(data).digest('hex'), md5, crc32: crc, size: data.length };
}

/**
 * Reads a small body whole. For small objects the stream machinery of a hashing pipe and a
 * file write stream costs more CPU than the bytes; `limit` guards memory if the body is
 * larger than announced.
 */
export function readWhole(source: Readable, limit: number, onBytes?: (n: number) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    source.on('data', (chunk: Buffer) => {
      size += chunk.length;
      onBytes?.(chunk.length);
      if (size > limit) source.destroy(new Error(`the body is larger than the ${limit} bytes announced`));
      else chunks.push(chunk);
    });
    let ended = false;
    source.once('error', reject);
    source.once('end', () => {
      ended = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    // A body cut without an error event must not leave the copy waiting forever.
    source.once('close', () => ended || reject(new Error('the body stream closed before its end')));
  });
}
