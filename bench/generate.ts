/**
 * Generates the workloads once per benchmark: random, incompressible bytes (AES-CTR keystream),
 * written both as local files (what the upload tools and exports start from) and as objects of
 * the source bucket. Data objects are single-part PutObjects carrying a CRC32 checksum, as
 * aws-cli (see its uploads in peers.ts) and the current AWS SDKs put them by default: each tool can verify downloads
 * against the checksum or against the ETag (the MD5 of the bytes), whichever it knows. The
 * listing workload's many tiny objects go up as tar archives that MinIO extracts into objects
 * (its Snowball auto-extract).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { hexToBase64 } from '../s3/checksums';
import { tarOf } from '../test/harness/bulk-upload';
import type { ListingWorkload, Workload } from './options';

/** The MinIO the benchmark runs against. */
export interface S3Target {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** An S3 client for arranging the workloads (no request checksums, as MinIO needs none). */
export function adminClient(target: S3Target): S3Client {
  return new S3Client({
    endpoint: target.endpoint, region: 'us-east-1', forcePathStyle: true,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Creates `bucket` (an existing one is fine). */
export async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((err) => {
    if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes((err as Error).name)) throw err;
  });
}

/** A source of random bytes several times faster than crypto.randomBytes. */
function keystream(): (size: number) => Buffer {
  const cipher = createCipheriv('aes-128-ctr', randomBytes(16), randomBytes(16));
  const zeros = Buffer.alloc(1 << 20);
  return (size) => {
    const parts: Buffer[] = [];
    for (let left = size; left > 0; left -= zeros.length) parts.push(cipher.update(left >= zeros.length ? zeros : zeros.subarray(0, left)));
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  };
}

/** A CRC32 as S3's x-amz-checksum-crc32 carries it: the 4 big-endian bytes, base64. */
const crc32Base64 = (crc: number) => hexToBase64(crc.toString(16).padStart(8, '0'));

/** The object key (below the workload's prefix) and local file name of object `i`. */
export function objectName(i: number): string {
  return `${String(i).padStart(6, '0')}.bin`;
}

/**
 * Writes workload `w` to `localDir` and to `bucket` below `w.prefix`. Large objects are streamed
 * from the file, so memory stays at a few MiB whatever their size.
 */
export async function generateWorkload(s3: S3Client, bucket: string, w: Workload, localDir: string): Promise<void> {
  rmSync(localDir, { recursive: true, force: true });
  mkdirSync(localDir, { recursive: true });
  const random = keystream();
  const streamed = w.size > 64 * 1024 ** 2;
  const limit = pLimit(streamed ? 2 : w.size > 1024 ** 2 ? 4 : 32);
  await Promise.all(Array.from({ length: w.count }, (_, i) => limit(async () => {
    const name = objectName(i);
    const file = join(localDir, name);
    if (!streamed) {
      const body = random(w.size);
      writeFileSync(file, body);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: w.prefix + name, Body: body, ContentLength: body.length, ChecksumCRC32: crc32Base64(crc32(body)) }));
      return;
    }
    const out = createWriteStream(file);
    let crc = 0;
    for (let left = w.size; left > 0; left -= 1 << 20) {
      const chunk = random(Math.min(1 << 20, left));
      crc = crc32(chunk, crc);
      if (!out.write(chunk)) await new Promise<void>((ok) => out.once('drain', () => ok()));
    }
    out.end();
    await finished(out);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: w.prefix + name, Body: createReadStream(file), ContentLength: w.size, ChecksumCRC32: crc32Base64(crc) }));
  })));
}

/** The key of listing object `i`. */
export function listingKey(l: ListingWorkload, i: number): string {
  return `${l.prefix}${String(i).padStart(7, '0')}.txt`;
}

/** Puts the listing workload's `l.count` tiny objects, as 8 archives MinIO extracts on arrival. */
export async function generateListing(s3: S3Client, bucket: string, l: ListingWorkload): Promise<void> {
  const random = keystream();
  const parts = 8;
  const per = Math.ceil(l.count / parts);
  await Promise.all(Array.from({ length: parts }, async (_, part) => {
    const objects = [];
    for (let i = part * per; i < Math.min(l.count, (part + 1) * per); i++) objects.push({ key: listingKey(l, i), body: random(l.bodySize) });
    if (!objects.length) return;
    const archive = tarOf(objects);
    await s3.send(new PutObjectCommand({
      Bucket: bucket, Key: `.bulk-${part}-${Date.now()}.tar`, Body: archive, ContentLength: archive.length,
      Metadata: { 'snowball-auto-extract': 'true' },
    }));
  }));
}

/** Adds the `l.added` new objects of incremental round `round` (keys sort after the initial ones). */
export async function addListingObjects(s3: S3Client, bucket: string, l: ListingWorkload, round: number): Promise<void> {
  const random = keystream();
  const limit = pLimit(16);
  await Promise.all(Array.from({ length: l.added }, (_, i) => limit(() => s3.send(new PutObjectCommand({
    Bucket: bucket, Key: `${l.prefix}new-${String(round).padStart(3, '0')}-${String(i).padStart(5, '0')}.txt`, Body: random(l.bodySize),
  })))));
}
