/**
 * Bodies read on the main thread: hashed as they stream to their destination (the digests are
 * digests.ts's), or read whole when small.
 */
import { Transform, type Readable } from 'node:stream';
import { Digester, flagsOf, type DigestChoice, type StreamDigests } from './digests';

/** The digest types (digests.ts), for callers of hashing() and digestsOf(). */
export type { DigestChoice, StreamDigests } from './digests';

/** Returns a Readable passing `source`'s bytes through, and the digests once it ends. */
export function hashing(source: Readable, onBytes?: (n: number) => void, withMd5 = true, choice: DigestChoice = {}): { stream: Readable; digests: () => StreamDigests } {
  const digester = new Digester(flagsOf(withMd5, choice));
  let result: StreamDigests | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      digester.update(chunk);
      onBytes?.(chunk.length);
      done(null, chunk);
    },
    flush(done) {
      result = digester.digests();
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

/** The digests of bytes already in memory. */
export function digestsOf(data: Buffer, withMd5 = true, withCrc32 = false): StreamDigests {
  return new Digester(flagsOf(withMd5, { crc32: withCrc32 })).update(data).digests();
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
