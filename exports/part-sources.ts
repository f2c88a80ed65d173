/**
 * Where the bytes of multipart parts come from. A part's SHA-256 is signed as its payload hash and
 * sent as x-amz-checksum-sha256, so it must be known before the part is sent:
 * - From a local file (the dataset store is a folder): each part is read twice, once to hash it
 *   and once, by range, as the request body. Memory stays at one read buffer however large the
 *   parts; the second read comes from the page cache. Before this, 64 MiB parts were held whole
 *   (two in flight plus the one being filled: ~200 MiB for a 1 GiB export).
 * - From a stream (a store on S3): each part is held in memory while it is sent.
 * Both feed the whole file, in order, to `whole`, so the caller can compare it with the dataset's
 * recorded SHA-256.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { FileRange } from '../s3/request-body';
import { chunks } from './parts';
import { STREAM_READ_BYTES } from './s3-calls';

/** One part, hashed and ready to send. */
export interface PartBytes {
  /** Part number, from 1. */
  n: number;
  size: number;
  /** Base64 SHA-256 of the part; absent for parts skipped by `wanted`. */
  sha256?: string;
  /** The part's bytes as a request body: a buffer, or its range of the local file. */
  body: () => Buffer | FileRange;
}

/** How much of the file one read takes while hashing (reused, so hashing allocates nothing per part). */
const READ_BUFFER_BYTES = 1024 * 1024;

/**
 * The parts of the local file `path`, `partSize` bytes each (the last may be shorter), as many as
 * its current size makes: a file that is not the size the dataset recorded then shows up in the
 * caller's size and SHA-256 check, as with a stream. Parts for which `wanted(n)` is false (already
 * uploaded) are only fed to `whole`.
 */
export async function* fileParts(path: string, partSize: number, whole: Hash, wanted: (n: number) => boolean): AsyncGenerator<PartBytes> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const buffer = Buffer.allocUnsafe(Math.min(READ_BUFFER_BYTES, partSize));
    for (let start = 0, n = 1; start < size; start += partSize, n += 1) {
      const length = Math.min(partSize, size - start);
      const hash = wanted(n) ? createHash('sha256') : undefined;
      let read = 0;
      while (read < length) {
        const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, length - read), start + read);
        if (bytesRead === 0) break; // the file shrank meanwhile: the caller's size check fails
        const data = buffer.subarray(0, bytesRead);
        whole.update(data);
        hash?.update(data);
        read += bytesRead;
      }
      const first = start;
      yield {
        n, size: read, sha256: hash?.digest('base64'),
        // Read again when sent: the page cache still has it, and memory holds no part whole.
        body: () => new FileRange(path, first, read, STREAM_READ_BYTES),
      };
      if (read < length) return;
    }
  } finally {
    await file.close();
  }
}

/** The parts of `stream`, each held in one buffer while it is sent. */
export async function* streamParts(stream: Readable, partSize: number, whole: Hash, wanted: (n: number) => boolean): AsyncGenerator<PartBytes> {
  let n = 0;
  for await (const data of chunks(stream, partSize)) {
    n += 1;
    whole.update(data);
    const sha256 = wanted(n) ? createHash('sha256').update(data).digest('base64') : undefined;
    yield { n, size: data.length, sha256, body: () => data };
  }
}

/** Hex MD5 of a part's bytes, read once more: only for a store that returned no checksum of them (multipart.ts). */
export async function partMd5(body: Buffer | FileRange): Promise<string> {
  const md5 = createHash('md5');
  if (Buffer.isBuffer(body)) return md5.update(body).digest('hex');
  const range = createReadStream(body.path, { start: body.start, end: body.start + body.length - 1, highWaterMark: body.chunkBytes });
  for await (const chunk of range as AsyncIterable<Buffer>) md5.update(chunk);
  return md5.digest('hex');
}
