/**
 * Where the bytes of multipart parts come from. A part's SHA-256 and MD5 go in its request
 * headers, so they must be known before it is sent:
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
import { chunks } from './parts';

/** One part, hashed and ready to send. */
export interface PartBytes {
  /** Part number, from 1. */
  n: number;
  size: number;
  /** Base64 SHA-256 and hex MD5 of the part; absent for parts skipped by `wanted`. */
  hashes?: PartDigests;
  /** The part's bytes as a request body: a buffer, or a fresh stream over its file range. */
  body: () => Buffer | Readable;
}

/** A part's checksums as its request headers need them: base64 SHA-256, hex MD5. */
export interface PartDigests {
  sha256: string;
  md5: string;
}

/** Hashes of one part, updated chunk by chunk. */
class PartHashes {
  private readonly sha = createHash('sha256');
  private readonly md5 = createHash('md5');
  update(data: Uint8Array): void {
    this.sha.update(data);
    this.md5.update(data);
  }
  digests(): PartDigests {
    return { sha256: this.sha.digest('base64'), md5: this.md5.digest('hex') };
  }
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
      const hashes = wanted(n) ? new PartHashes() : undefined;
      let read = 0;
      while (read < length) {
        const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, length - read), start + read);
        if (bytesRead === 0) break; // the file shrank meanwhile: the caller's size check fails
        const data = buffer.subarray(0, bytesRead);
        whole.update(data);
        hashes?.update(data);
        read += bytesRead;
      }
      const first = start;
      yield {
        n, size: read, hashes: hashes?.digests(),
        // Read again when sent: the page cache still has it, and memory holds no part whole.
        body: () => createReadStream(path, { start: first, end: first + read - 1 }),
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
    let hashes: PartHashes | undefined;
    if (wanted(n)) {
      hashes = new PartHashes();
      hashes.update(data);
    }
    yield { n, size: data.length, hashes: hashes?.digests(), body: () => data };
  }
}
