/**
 * One pass over the bytes: SHA-256 (what datasets record), MD5 (to compare with single-part
 * ETags) or CRC32 (to compare with a stored checksum) and a byte count, computed as the bytes
 * flow to their destination, on this thread or on hashing threads.
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { OffThreadDigests, type DigestAlgorithm } from './hash-pool';

/** Digests available once the stream has ended. */
export interface StreamDigests {
  sha256: string;
  md5?: string;
  /** CRC32 (zlib's, as S3's x-amz-checksum-crc32), hex, when asked for. */
  crc32?: string;
  size: number;
}

/** Digests computed besides SHA-256, and where. */
export interface DigestChoice {
  /** CRC32, to compare with a stored x-amz-checksum-crc32 (about 8× cheaper than MD5). */
  crc32?: boolean;
  /**
   * Hash on worker threads (hash-pool.ts) instead of this one: worth it for bodies of megabytes,
   * whose hashing otherwise costs more main-thread CPU than their I/O.
   */
  offThread?: boolean;
}

/** Returns a Readable passing `source`'s bytes through, and the digests once it ends. */
export function hashing(source: Readable, onBytes?: (n: number) => void, withMd5 = true, choice: DigestChoice = {}): { stream: Readable; digests: () => StreamDigests } {
  const algorithms: DigestAlgorithm[] = ['sha256', ...(withMd5 ? ['md5' as const] : []), ...(choice.crc32 ? ['crc32' as const] : [])];
  const digester = choice.offThread ? offThread(algorithms) : onThisThread(algorithms);
  let size = 0;
  let result: StreamDigests | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      onBytes?.(chunk.length);
      const pushed = digester.update(chunk);
      // Off thread, the chunk is passed on once the threads have room for it (backpressure).
      if (pushed) pushed.then(() => done(null, chunk), done);
      else done(null, chunk);
    },
    flush(done) {
      digester.digests().then((d) => {
        result = { sha256: d.sha256!, md5: d.md5, crc32: d.crc32, size };
        done();
      }, done);
    },
    destroy(err, done) {
      if (!result) digester.drop();
      done(err);
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

interface Digester {
  /** Undefined when done at once; a promise when the caller must wait before sending more. */
  update(chunk: Buffer): Promise<void> | undefined;
  digests(): Promise<Partial<Record<DigestAlgorithm, string>>>;
  drop(): void;
}

function onThisThread(algorithms: DigestAlgorithm[]): Digester {
  const hashes = algorithms.filter((a) => a !== 'crc32').map((a) => [a, createHash(a)] as const);
  let crc: number | undefined = algorithms.includes('crc32') ? 0 : undefined;
  return {
    update(chunk) {
      for (const [, hash] of hashes) hash.update(chunk);
      if (crc !== undefined) crc = crc32(chunk, crc);
      return undefined;
    },
    async digests() {
      const out: Partial<Record<DigestAlgorithm, string>> = Object.fromEntries(hashes.map(([a, hash]) => [a, hash.digest('hex')]));
      if (crc !== undefined) out.crc32 = crc.toString(16).padStart(8, '0');
      return out;
    },
    drop() {},
  };
}

function offThread(algorithms: DigestAlgorithm[]): Digester {
  const digests = new OffThreadDigests(algorithms);
  return { update: (chunk) => digests.update(chunk), digests: () => digests.digests(), drop: () => digests.drop() };
}

/** The digests of bytes already in memory. */
export function digestsOf(data: Buffer, withMd5 = true, withCrc32 = false): StreamDigests {
  const md5 = withMd5 ? createHash('md5').update(data).digest('hex') : undefined;
  const crc = withCrc32 ? crc32(data).toString(16).padStart(8, '0') : undefined;
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
