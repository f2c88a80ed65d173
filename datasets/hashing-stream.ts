/**
 * One pass over the bytes: SHA-256 (what datasets record), MD5 (to compare with single-part
 * ETags) and a byte count, computed as the bytes flow to their destination.
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';

/** Digests available once the stream has ended. */
export interface StreamDigests {
  sha256: string;
  md5?: string;
  size: number;
}

/** Returns a Readable passing `source`'s bytes through, and the digests once it ends. */
export function hashing(source: Readable, onBytes?: (n: number) => void, withMd5 = true): { stream: Readable; digests: () => StreamDigests } {
  const sha = createHash('sha256');
  const md5 = withMd5 ? createHash('md5') : undefined;
  let size = 0;
  let result: StreamDigests | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sha.update(chunk);
      md5?.update(chunk);
      size += chunk.length;
      onBytes?.(chunk.length);
      done(null, chunk);
    },
    flush(done) {
      result = { sha256: sha.digest('hex'), md5: md5?.digest('hex'), size };
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
export function digestsOf(data: Buffer, withMd5 = true): StreamDigests {
  const md5 = withMd5 ? createHash('md5').update(data).digest('hex') : undefined;
  return { sha256: createHash('sha256').update(data).digest('hex'), md5, size: data.length };
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
