/**
 * Random access to bytes, wherever they are: a local file, or an S3 object read by ranges.
 * Media parsers read through a ByteSource so that what they read is bounded and counted.
 */
import { open } from 'node:fs/promises';

/** Random-access bytes. `bytesRead` counts what was fetched from the underlying file or object. */
export interface ByteSource {
  readonly size: number;
  readonly bytesRead: number;
  /** Bytes [start, end), clamped to the size. */
  read(start: number, end: number): Promise<Uint8Array>;
}

/** A local file; close it when done. */
export async function openFileSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  let bytesRead = 0;
  return {
    size,
    get bytesRead() { return bytesRead; },
    async read(start, end) {
      const stop = Math.min(end, size);
      if (stop <= start) return new Uint8Array(0);
      const buffer = Buffer.alloc(stop - start);
      let got = 0;
      while (got < buffer.length) {
        const { bytesRead: n } = await handle.read(buffer, got, buffer.length - got, start + got);
        if (n === 0) break;
        got += n;
      }
      bytesRead += got;
      return buffer.subarray(0, got);
    },
    close: () => handle.close(),
  };
}

/** The shape of preview/range-reader.ts's RangeReader (and hyparquet's AsyncBuffer). */
export interface SliceReader {
  byteLength: number;
  bytesRead: number;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
}

/** A ranged reader (an S3 object) as a ByteSource. */
export function sliceSource(reader: SliceReader): ByteSource {
  return {
    size: reader.byteLength,
    get bytesRead() { return reader.bytesRead; },
    async read(start, end) {
      return new Uint8Array(await reader.slice(start, Math.min(end, reader.byteLength)));
    },
  };
}

/**
 * `source` read in aligned chunks of `chunkBytes`, the last `keep` of them cached: parsers that
 * read many small fields (MP4 atoms, EXIF entries) then cost one request per chunk, not per field.
 */
export function chunked(source: ByteSource, chunkBytes = 64 * 1024, keep = 8): ByteSource {
  const cache = new Map<number, Promise<Uint8Array>>();
  const chunk = (n: number) => {
    let hit = cache.get(n);
    if (hit) {
      cache.delete(n);
    } else {
      hit = source.read(n * chunkBytes, (n + 1) * chunkBytes);
      hit.catch(() => cache.delete(n));
    }
    cache.set(n, hit);
    while (cache.size > keep) cache.delete(cache.keys().next().value!);
    return hit;
  };
  return {
    size: source.size,
    get bytesRead() { return source.bytesRead; },
    async read(start, end) {
      const stop = Math.min(end, source.size);
      if (stop <= start) return new Uint8Array(0);
      // A read larger than the cache goes straight through.
      if (stop - start > chunkBytes * (keep - 1)) return source.read(start, stop);
      const out = new Uint8Array(stop - start);
      for (let n = Math.floor(start / chunkBytes); n * chunkBytes < stop; n++) {
        const bytes = await chunk(n);
        const from = Math.max(start, n * chunkBytes);
        const to = Math.min(stop, n * chunkBytes + bytes.length);
        if (to > from) out.set(bytes.subarray(from - n * chunkBytes, to - n * chunkBytes), from - start);
      }
      return out;
    },
  };
}
