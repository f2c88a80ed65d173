/**
 * Previews of client-side encrypted objects (a `clientKms` source). A GCM object can only be
 * trusted whole (its tag covers every byte), so instead of ranged reads the object is read and
 * decrypted whole, up to a limit, and slices are served from memory.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openObject } from '../crypto/decrypt-object';
import { TagMismatchError } from '../crypto/gcm-decrypt';
import type { SourceClient } from '../s3/client';
import { S3OperationError } from '../s3/errors';
import type { RangeReader } from './range-reader';

/** The largest encrypted object a preview decrypts (in memory): 64 MiB. */
export const PREVIEW_DECRYPT_LIMIT = 64 * 1024 * 1024;

/** Reads `key` whole, decrypts it and returns a RangeReader over its plaintext; fails by name above `limit` bytes. */
export async function openDecryptedReader(client: SourceClient, key: string, size: number, etag: string, contentType: string | undefined,
  limit = PREVIEW_DECRYPT_LIMIT): Promise<RangeReader> {
  const what = `s3://${client.bucket}/${key}`;
  if (size > limit) {
    throw new S3OperationError('permanent', 'TooLargeToPreview', `${what}: is encrypted on the client side (clientKms) and ${size} bytes long; a preview decrypts an encrypted object whole (its GCM tag covers every byte) and only up to ${limit} bytes. Fix: sync it (syncs decrypt in constant memory) and read the dataset's file.`);
  }
  const out = await client.read(key, { ifMatch: etag || undefined });
  const opened = await openObject(client, key, out.headers).catch((err: unknown) => {
    out.body.destroy();
    throw err;
  });
  const chunks: Buffer[] = [];
  let bytesRead = 0;
  const collect = new Writable({ write(chunk: Buffer, _e, done) { chunks.push(chunk); done(); } });
  out.body.on('data', (chunk: Buffer) => { bytesRead += chunk.length; });
  try {
    if ('decryptor' in opened) await pipeline(out.body, opened.decryptor, collect);
    else await pipeline(out.body, collect);
  } catch (err) {
    if (err instanceof TagMismatchError) throw new S3OperationError('permanent', 'DecryptionFailed', `${what}: ${err.message}; the object was altered or its envelope does not belong to it.`);
    throw err;
  }
  const plaintext = Buffer.concat(chunks);
  return {
    byteLength: plaintext.length, etag, contentType, bytesRead,
    async slice(start, end = plaintext.length) {
      const part = plaintext.subarray(start, Math.max(start, end));
      return part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength) as ArrayBuffer;
    },
  };
}
