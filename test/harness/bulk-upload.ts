/**
 * Fast bulk upload of many small objects for listing tests: one tar archive that MinIO
 * extracts into separate objects on arrival (its Snowball auto-extract), instead of one
 * PutObject per object. The objects are ordinary objects afterwards.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { adminS3 } from './minio-admin';

const BLOCK = 512;

function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(BLOCK);
  const field = (value: string, offset: number, length: number) => header.write(value, offset, length, 'utf8');
  const octal = (value: number, offset: number, length: number) => field(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length);
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name over 100 bytes: ${name}`);
  field(name, 0, 100);
  octal(0o644, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(Math.floor(Date.now() / 1000), 136, 12);
  field('        ', 148, 8); // checksum placeholder: eight spaces
  field('0', 156, 1); // regular file
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  field(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return header;
}

/** A ustar archive of `objects` (names up to 100 bytes). */
export function tarOf(objects: Array<{ key: string; body: string | Uint8Array }>): Buffer {
  const parts: Buffer[] = [];
  for (const o of objects) {
    const body = Buffer.from(o.body);
    parts.push(tarHeader(o.key, body.length), body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/**
 * Uploads `objects` to `bucket` as `parts` archives sent side by side, which MinIO extracts
 * into one object each (about 2.5x faster than 64 concurrent PutObjects for 20,000 tiny objects).
 */
export async function putObjectsAsArchives(bucket: string, objects: Array<{ key: string; body: string | Uint8Array }>, parts = 8): Promise<void> {
  const s3 = adminS3();
  const size = Math.ceil(objects.length / parts);
  await Promise.all(Array.from({ length: parts }, async (_, part) => {
    const archive = tarOf(objects.slice(part * size, (part + 1) * size));
    await s3.send(new PutObjectCommand({
      Bucket: bucket, Key: `.bulk-${part}-${Math.random().toString(36).slice(2)}.tar`, Body: archive, ContentLength: archive.length,
      Metadata: { 'snowball-auto-extract': 'true' },
    }));
  }));
}
