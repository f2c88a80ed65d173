/**
 * Cutting a stream into multipart-upload parts, and the checksums S3 computes over parts: the
 * multipart ETag (MD5 of the parts' MD5s, `-<count>`) and the composite SHA-256 (SHA-256 of the
 * parts' SHA-256s, `-<count>`). Pure apart from reading the stream.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** A finished part, as kept in heartbeat details: enough to complete the upload and verify it. */
export interface PartRecord {
  /** Part number, from 1. */
  n: number;
  etag: string;
  /** Base64 SHA-256 of the part, as S3 returns it. */
  sha256: string;
  /**
   * Hex MD5 of the part: only when the store returned no checksum of it (multipart.ts
   * `uploadPart`).
   */
  md5?: string;
}

/**
 * Yields `stream`'s bytes as buffers of exactly `size` bytes (the last may be shorter). Each part
 * is one buffer filled in place: no part keeps another's memory alive.
 */
export async function* chunks(stream: Readable, size: number): AsyncGenerator<Buffer> {
  let part = Buffer.allocUnsafe(size);
  let filled = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(size - filled, chunk.length - offset);
      chunk.copy(part, filled, offset, offset + n);
      filled += n;
      offset += n;
      if (filled === size) {
        yield part;
        part = Buffer.allocUnsafe(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield part.subarray(0, filled);
}

/** The ETag S3 gives a multipart object made of `parts` (quoted); every part's MD5 must be known. */
export function multipartEtag(parts: readonly PartRecord[]): string {
  const md5s = Buffer.concat(parts.map((p) => {
    if (!p.md5) throw new Error(`part ${p.n} has no MD5: its upload was verified by its checksum`);
    return Buffer.from(p.md5, 'hex');
  }));
  return `"${createHash('md5').update(md5s).digest('hex')}-${parts.length}"`;
}

/** The composite SHA-256 checksum S3 gives a multipart object made of `parts` (`<base64>-<count>`). */
export function compositeSha256(parts: readonly PartRecord[]): string {
  const shas = Buffer.concat(parts.map((p) => Buffer.from(p.sha256, 'base64')));
  return `${createHash('sha256').update(shas).digest('base64')}-${parts.length}`;
}

/** S3's limit on the parts of one multipart upload. */
export const MAX_PARTS = 10_000;

/**
 * The part size to upload `size` bytes with: the configured one, or the smallest whole number of
 * MiB that keeps the upload within MAX_PARTS parts (a 1 TiB file at 64 MiB parts would need 16,384).
 */
export function partSizeFor(size: number, configured: number): number {
  const MiB = 1024 * 1024;
  return size <= configured * MAX_PARTS ? configured : Math.ceil(size / MAX_PARTS / MiB) * MiB;
}
