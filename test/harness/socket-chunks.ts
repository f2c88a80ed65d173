import { Readable } from 'node:stream';

/** Feeds `data` in chunks of random sizes (1 byte to 200 KiB), as a socket would. */
export function socketChunks(data: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length;) {
    const n = Math.min(data.length - at, 1 + Math.floor(Math.random() * 200 * 1024));
    chunks.push(data.subarray(at, at + n));
    at += n;
  }
  return Readable.from(chunks);
}
