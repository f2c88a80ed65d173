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
import { hashing } from '../datasets/hashing-stream';
import { S3OperationError } from '../s3/errors';
import { etagMd5, exportS3Error, hexToBase64, kmsEncrypted, verificationFailed, type UploadedObject, type UploadTarget } from './s3-calls';

/** Uploads `target` in one request and verifies the stored object. */
export async function putObject(target: UploadTarget, onBytes: (n: number) => void): Promise<UploadedObject> {
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
  const read = body.digests();
  if (read.sha256 !== target.sha256 || read.size !== target.size) {
    // The store holds other bytes than the dataset recorded: a damaged dataset, not worth retrying.
    throw new S3OperationError('permanent', 'DatasetFileDamaged', `the dataset file for ${key} does not match its recorded SHA-256 ${target.sha256} (read ${read.sha256}, ${read.size} bytes); it was not exported. Fix: re-run the sync that landed it.`);
  }
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
  return { key, size: read.size, etag: reply.ETag ?? '', verifiedBy: verified.join('+') || 'checksum-header' };
}
