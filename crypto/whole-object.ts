/**
 * Reads a client-side encrypted object whole and decrypts it in memory, for readers that need
 * random access (previews, table files): a GCM tag covers the whole object, so no range of it can
 * be trusted alone. Bounded by a limit, refused above it by name.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SourceClient } from '../s3/client';
import { S3OperationError } from '../s3/errors';
import { openObject } from './decrypt-object';
import { TagMismatchError } from './gcm-decrypt';

/** The largest encrypted object decrypted in memory: 64 MiB. */
export const WHOLE_DECRYPT_LIMIT = 64 * 1024 * 1024;

/** The plaintext of `key` (a full key) and the ciphertext bytes read. `size` (when listed) is checked against `limit` before reading. */
export async function readDecrypted(client: SourceClient, key: string, options: { etag?: string; size?: number; limit?: number; fix: string }): Promise<{ plaintext: Buffer; bytesRead: number }> {
  const what = `s3://${client.bucket}/${key}`;
  const limit = options.limit ?? WHOLE_DECRYPT_LIMIT;
  const tooLarge = (size: number) => new S3OperationError('permanent', 'TooLargeToDecrypt', `${what}: is encrypted on the client side (clientKms) and ${size} bytes long; it is read by ranges here, which needs it decrypted whole in memory, and only up to ${limit} bytes are. Fix: ${options.fix}`);
  if (options.size !== undefined && options.size > limit) throw tooLarge(options.size);
  const out = await client.read(key, { ifMatch: options.etag || undefined });
  const length = Number(out.headers['content-length'] ?? 0);
  if (length > limit) {
    out.body.destroy();
    throw tooLarge(length);
  }
  const opened = await openObject(client, key, out.headers).catch((err: unknown) => {
    out.body.destroy();
    throw err;
  });
  const chunks: Buffer[] = [];
  let bytesRead = 0;
  out.body.on('data', (chunk: Buffer) => { bytesRead += chunk.length; });
  const collect = new Writable({ write(chunk: Buffer, _e, done) { chunks.push(chunk); done(); } });
  try {
    if ('decryptor' in opened) await pipeline(out.body, opened.decryptor, collect);
    else await pipeline(out.body, collect);
  } catch (err) {
    if (err instanceof TagMismatchError) throw new S3OperationError('permanent', 'DecryptionFailed', `${what}: ${err.message}; the object was altered or its envelope does not belong to it.`);
    throw err;
  }
  return { plaintext: Buffer.concat(chunks), bytesRead };
}
