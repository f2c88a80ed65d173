/**
 * Fixtures for explore tests: keys of an exact byte length, ETags, empty objects, and the
 * shape of an `explore --json` line.
 */
import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { adminS3 } from './minio-admin';

/** S3's maximum key length, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/** The quoted hex MD5 that S3 (and MinIO) report as the ETag of a single-part upload. */
export function md5Etag(body: string | Uint8Array): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

/**
 * A key of exactly `bytes` UTF-8 bytes starting with `prefix`, made of multi-byte characters
 * so that bytes and characters differ. Segments stay under 255 bytes: MinIO stores each
 * segment as a directory name.
 */
export function keyOfBytes(prefix: string, bytes: number): string {
  const size = (s: string) => Buffer.byteLength(s, 'utf8');
  const segment = `${'é'.repeat(50)}${'日'.repeat(33)}/`; // 100 + 99 + 1 bytes
  let key = prefix;
  while (size(key) + size(segment) + 1 < bytes) key += segment;
  key += 'x'.repeat(bytes - size(key));
  if (size(key) !== bytes) throw new Error(`keyOfBytes: built ${size(key)} bytes, wanted ${bytes}`);
  return key;
}

/** Puts zero-byte objects (with an explicit Content-Length, which the SDK wants for empty bodies). */
export async function putEmptyObjects(bucket: string, keys: string[]): Promise<void> {
  const s3 = adminS3();
  await Promise.all(keys.map((key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '', ContentLength: 0 }))));
}

/** One line of `explore --json`, as printed. */
export interface ExploreLine {
  type: 'file' | 'folder';
  path: string;
  size?: number;
  lastModified?: string;
  etag?: string;
}
