/**
 * Uploads one file of at most the multipart threshold with a single PutObject: streamed from the
 * dataset store (constant memory), with the dataset's recorded SHA-256 sent as
 * x-amz-checksum-sha256 so the store refuses bytes that do not match it, and verified after: the
 * SHA-256 and MD5 of the bytes actually read are compared with the stored object's checksum and
 * ETag as returned by the PutObject reply (no GetObject or HeadObject: an export needs only
 * s3:PutObject).
 */
import { finished } from 'node:stream/promises';
import { PutObjectCommand, type ObjectCannedACL } from '@aws-sdk/client-s3';
import { digestsOf, hashing, readWhole, type StreamDigests } from '../datasets/hashing-stream';
import { S3OperationError } from '../s3/errors';
import { etagMd5, exportS3Error, hexToBase64, kmsEncrypted, verificationFailed, type UploadedObject, type UploadTarget } from './s3-calls';

/**
 * Files up to this size are read whole and sent on the lean path (s3/lean-client.ts): for a
 * 4 KiB file the SDK's per-request CPU is most of the cost of exporting it.
 */
export const SMALL_PUT_BYTES = 1024 * 1024;

/** Uploads `target` in one request and verifies the stored object. */
export async function putObject(target: UploadTarget, onBytes: (n: number) => void): Promise<UploadedObject> {
  if (target.size <= SMALL_PUT_BYTES) return putSmallObject(target, onBytes);
  const { client, key } = target;
  let body;
  try {
    body = hashing(await target.open(), onBytes);
  } catch (err) {
    throw new S3OperationError('transient', 'StoreReadError', `reading the dataset file for ${key} failed: ${(err as Error).message}`);
  }
  let reply;
  try {
    reply = await client.s3.send(new PutObjectCommand({
      Bucket: client.bucket, Key: key, Body: body.stream, ContentLength: target.size,
      ChecksumSHA256: hexToBase64(target.sha256), ACL: target.cannedAcl as ObjectCannedACL | undefined,
    }), { abortSignal: target.signal });
  } catch (err) {
    body.stream.destroy();
    throw exportS3Error(err, 'PutObject', target);
  }
  // The reply can come before the hashing stream has flushed its digests (the HTTP client stops
  // reading at Content-Length); its writable side finishes right after.
  await finished(body.stream, { readable: false });
  return verifyStored(target, body.digests(), reply);
}

/** Reads a small file whole, checks it against the dataset, and puts it on the lean path. */
async function putSmallObject(target: UploadTarget, onBytes: (n: number) => void): Promise<UploadedObject> {
  let data;
  try {
    data = await readWhole(await target.open(), target.size);
  } catch (err) {
    throw new S3OperationError('transient', 'StoreReadError', `reading the dataset file for ${target.key} failed: ${(err as Error).message}`);
  }
  const read = digestsOf(data);
  if (read.sha256 !== target.sha256 || read.size !== target.size) throw damaged(target, read);
  const headers: Record<string, string> = { 'x-amz-checksum-sha256': hexToBase64(target.sha256) };
  if (target.cannedAcl) headers['x-amz-acl'] = target.cannedAcl;
  let reply;
  try {
    reply = await target.client.write(target.key, { body: data, sha256: target.sha256, headers, signal: target.signal });
  } catch (err) {
    throw exportS3Error(err, 'PutObject', target);
  }
  onBytes(data.length);
  const header = (name: string) => (typeof reply[name] === 'string' ? reply[name] as string : undefined);
  return verifyStored(target, read, {
    ETag: header('etag'), ChecksumSHA256: header('x-amz-checksum-sha256'),
    ServerSideEncryption: header('x-amz-server-side-encryption'), SSEKMSKeyId: header('x-amz-server-side-encryption-aws-kms-key-id'),
  });
}

// The store holds other bytes than the dataset recorded: a damaged dataset, not worth retrying.
function damaged(target: UploadTarget, read: StreamDigests): S3OperationError {
  return new S3OperationError('permanent', 'DatasetFileDamaged', `the dataset file for ${target.key} does not match its recorded SHA-256 ${target.sha256} (read ${read.sha256}, ${read.size} bytes); it was not exported. Fix: re-run the sync that landed it.`);
}

/** Compares what was read with the dataset's record and with the stored object's checksum and ETag. */
function verifyStored(target: UploadTarget, read: StreamDigests, reply: { ETag?: string; ChecksumSHA256?: string; ServerSideEncryption?: string; SSEKMSKeyId?: string }): UploadedObject {
  if (read.sha256 !== target.sha256 || read.size !== target.size) throw damaged(target, read);
  const verified: string[] = [];
  if (reply.ChecksumSHA256) {
    if (reply.ChecksumSHA256 !== hexToBase64(read.sha256)) throw verificationFailed(target, 'SHA-256 checksum');
    verified.push('sha256');
  }
  const md5 = etagMd5(reply.ETag);
  if (md5 && !kmsEncrypted(reply)) {
    if (md5 !== read.md5) throw verificationFailed(target, 'MD5 ETag');
    verified.push('md5-etag');
  }
  return { key: target.key, size: read.size, etag: reply.ETag ?? '', verifiedBy: verified.join('+') || 'checksum-header' };
}
