/**
 * Where a multipart object's parts end: what per-part checks (a multipart ETag, a composite
 * checksum) need to hash each part on its own while the object streams as one body.
 *
 * Learnt with one request: HEAD `?partNumber=1` (s3:GetObject only; S3 and MinIO answer it) gives
 * the parts' count (x-amz-mp-parts-count) and part 1's size. Uploaders (the AWS SDKs and CLI,
 * rclone, mc, S3A) cut an object into equal parts but the last, so that is the layout unless the
 * object's size contradicts it. Every part's size (GetObjectAttributes ObjectParts, else a HEAD
 * per part) is read only when the size contradicts equal parts, or when a check computed on
 * equal parts fails: parts of different sizes are legal (UploadPartCopy concatenations).
 */
import { GetObjectAttributesCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { SourceClient } from './client';
import { classifyS3Error } from './errors';

/** The parts of an object, as per-part digests take them (datasets/digests.ts PartChoice.sizes). */
export interface PartLayout {
  count: number;
  /** `[P]`: parts of P bytes but the last, which holds the rest; or every part's size. */
  sizes: number[];
  /** Whether the sizes are known (read, or implied: one or two parts), not assumed equal. */
  exact: boolean;
}

/** GetObjectAttributes answers at most this many parts per request (S3's maximum). */
const PARTS_PER_PAGE = 1000;

/** HEADs in flight when every part's size is read one HEAD per part (stores without GetObjectAttributes). */
const PART_HEADS_IN_FLIGHT = 4;

/** A source object as the layout reads it: its listed ETag pins every request. */
export interface LayoutTarget {
  key: string;
  etag: string;
  size: number;
  /** The part count its ETag announces (`-<parts>`). */
  parts: number;
}

/**
 * Runs `request`; a permanent refusal (not supported, not permitted) gives undefined, so the
 * caller falls back to what the store does give. A transient failure, or an object changed or
 * deleted since it was listed (PreconditionFailed, NotFound), is thrown as the read's own would be.
 */
async function unlessRefused<T>(client: SourceClient, operation: string, what: string, request: () => Promise<T>): Promise<T | undefined> {
  try {
    return await request();
  } catch (err) {
    const failure = classifyS3Error(err, operation, client.bucket, what);
    if (failure.kind === 'permanent') return undefined;
    throw failure;
  }
}

/** One part's size and the parts' count, by a HEAD pinned to the listed ETag; undefined where the store gives neither. */
async function headPart(client: SourceClient, target: LayoutTarget, n: number, signal?: AbortSignal): Promise<{ size: number; count: number } | undefined> {
  const what = `HeadObject s3://${client.bucket}/${target.key}?partNumber=${n}`;
  const reply = await unlessRefused(client, 'HeadObject', what, () => client.s3.send(
    new HeadObjectCommand({ Bucket: client.bucket, Key: target.key, PartNumber: n, IfMatch: target.etag }), { abortSignal: signal }));
  // A store that ignores partNumber answers for the whole object, without the parts' count.
  if (reply?.PartsCount === undefined || reply.ContentLength === undefined) return undefined;
  return { size: reply.ContentLength, count: reply.PartsCount };
}

/**
 * The layout of a multipart object, or undefined where the store does not tell it (a HEAD with
 * partNumber refused or ignored, or a parts' count other than the ETag's). One request: none for
 * a one-part object, a HEAD of part 1 otherwise; every part's size only when the object's size
 * contradicts equal parts.
 */
export async function partLayout(client: SourceClient, target: LayoutTarget, signal?: AbortSignal): Promise<PartLayout | undefined> {
  if (target.parts === 1) return { count: 1, sizes: [target.size], exact: true };
  const first = await headPart(client, target, 1, signal);
  if (!first || first.count !== target.parts) return undefined;
  const { size: partSize, count } = first;
  if (partSize > 0 && (count - 1) * partSize < target.size && target.size <= count * partSize) {
    // Two parts: the second holds the rest, so nothing is assumed.
    return { count, sizes: [partSize], exact: count <= 2 };
  }
  const sizes = await partSizes(client, target, signal);
  return sizes && { count, sizes, exact: true };
}

/**
 * Every part's size, in order: GetObjectAttributes ObjectParts (1,000 parts a request, where the
 * store answers it and the caller holds s3:GetObjectAttributes; S3 lists parts only for objects
 * with checksums), else one HEAD per part. Undefined where the store gives neither or the sizes
 * do not add up to the object's.
 */
export async function partSizes(client: SourceClient, target: LayoutTarget, signal?: AbortSignal): Promise<number[] | undefined> {
  const sizes = (await sizesByAttributes(client, target, signal)) ?? (await sizesByHeads(client, target, signal));
  return sizes && sizes.length === target.parts && sizes.reduce((a, b) => a + b, 0) === target.size ? sizes : undefined;
}

async function sizesByAttributes(client: SourceClient, target: LayoutTarget, signal?: AbortSignal): Promise<number[] | undefined> {
  const what = `GetObjectAttributes s3://${client.bucket}/${target.key}`;
  const sizes: number[] = [];
  let marker: string | undefined;
  do {
    // ObjectParts alone: MinIO refuses a list of attributes (InvalidArgument). GetObjectAttributes
    // takes no If-Match: the read that follows is pinned to the listed ETag, so a layout read off
    // another version is never used on bytes it does not describe.
    const reply = await unlessRefused(client, 'GetObjectAttributes', what, () => client.s3.send(new GetObjectAttributesCommand({
      Bucket: client.bucket, Key: target.key, ObjectAttributes: ['ObjectParts'], MaxParts: PARTS_PER_PAGE, PartNumberMarker: marker }), { abortSignal: signal }));
    const page = reply?.ObjectParts;
    if (!page?.Parts?.length || page.TotalPartsCount !== target.parts) return undefined;
    for (const part of page.Parts) {
      if (part.PartNumber !== sizes.length + 1 || part.Size === undefined) return undefined;
      sizes.push(part.Size);
    }
    marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
  } while (marker !== undefined && sizes.length < target.parts);
  return sizes;
}

async function sizesByHeads(client: SourceClient, target: LayoutTarget, signal?: AbortSignal): Promise<number[] | undefined> {
  const sizes: number[] = new Array<number>(target.parts);
  let next = 1;
  let missing = false;
  await Promise.all(Array.from({ length: Math.min(PART_HEADS_IN_FLIGHT, target.parts) }, async () => {
    while (next <= target.parts && !missing) {
      const n = next++;
      const part = await headPart(client, target, n, signal);
      if (!part || part.count !== target.parts) missing = true;
      else sizes[n - 1] = part.size;
    }
  }));
  return missing ? undefined : sizes;
}

/** Whether `sizes` (every part's) are the equal parts `layout` assumed. */
export function sameLayout(layout: PartLayout, sizes: number[]): boolean {
  const [partSize] = layout.sizes;
  if (layout.sizes.length !== 1) return layout.sizes.length === sizes.length && layout.sizes.every((s, i) => s === sizes[i]);
  return sizes.length === layout.count && sizes.slice(0, -1).every((s) => s === partSize);
}
