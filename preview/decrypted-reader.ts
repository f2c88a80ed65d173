/**
 * Previews of client-side encrypted objects (a `clientKms` source). A GCM object can only be
 * trusted whole (its tag covers every byte), so instead of ranged reads the object is read and
 * decrypted whole, up to a limit (crypto/whole-object.ts), and slices are served from memory.
 */
import { readDecrypted, WHOLE_DECRYPT_LIMIT } from '../crypto/whole-object';
import type { SourceClient } from '../s3/client';
import type { RangeReader } from './range-reader';

/** The largest encrypted object a preview decrypts (in memory). */
export const PREVIEW_DECRYPT_LIMIT = WHOLE_DECRYPT_LIMIT;

/** Reads `key` whole, decrypts it and returns a RangeReader over its plaintext; fails by name above `limit` bytes. */
export async function openDecryptedReader(client: SourceClient, key: string, size: number, etag: string, contentType: string | undefined,
  limit = PREVIEW_DECRYPT_LIMIT): Promise<RangeReader> {
  const { plaintext, bytesRead } = await readDecrypted(client, key, { etag, size, limit,
    fix: 'sync it (syncs decrypt in constant memory) and read the dataset\'s file.' });
  return {
    byteLength: plaintext.length, etag, contentType, bytesRead,
    async slice(start, end = plaintext.length) {
      const part = plaintext.subarray(start, Math.max(start, end));
      return part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength) as ArrayBuffer;
    },
  };
}
