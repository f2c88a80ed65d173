/**
 * Uploads one file of at most the multipart threshold with a single PutObject on the lean path
 * (s3/lean-client.ts): no GetObject or HeadObject, so an export needs only s3:PutObject.
 *
 * The dataset store is content addressed: every file's SHA-256 is recorded. It is sent as the
 * signed payload hash (x-amz-content-sha256) and as x-amz-checksum-sha256, so the store itself
 * computes the SHA-256 of the bytes it receives and refuses to store anything else. Files above
 * SMALL_PUT_BYTES are therefore streamed from the dataset file without being hashed here at all,
 * keeping hashing off the worker's main thread; the file is hashed only to explain a refusal (a
 * damaged dataset file, or bytes changed on the way) or when the store returns no checksum to
 * compare.
 */
import { createReadStream } from 'node:fs';
import type http from 'node:http';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { digestsOf, hashing, readWhole, type StreamDigests } from '../datasets/hashing-stream';
import { S3OperationError } from '../s3/errors';
import { FileRange } from '../s3/request-body';
import { etagMd5, hexToBase64 } from '../s3/checksums';
import { exportS3Error, kmsEncryptedReply, PAYLOAD_REFUSED, replyHeader, STREAM_READ_BYTES, verificationFailed, type UploadedObject, type UploadTarget } from './s3-calls';

/**
 * Files up to this size are read whole and sent from memory: for a 4 KiB file a stream's
 * machinery costs more CPU than its bytes. Larger ones are streamed.
 */
export const SMALL_PUT_BYTES = 1024 * 1024;


/** Uploads `target` in one request and verifies the stored object. */
export async function putObject(target: UploadTarget, onBytes: (n: number) => void): Promise<UploadedObject> {
  return target.size <= SMALL_PUT_BYTES ? putSmallObject(target, onBytes) : putStreamedObject(target, onBytes);
}

/**
 * Reads a small file whole, checks its SHA-256 before sending, and puts it. The store would
 * refuse damaged bytes anyway, but hashing a small buffer costs little next to its request, and
 * checking first keeps a damaged file from ever being sent, even to a store that verifies neither
 * the signed payload hash nor the checksum.
 */
async function putSmallObject(target: UploadTarget, onBytes: (n: number) => void): Promise<UploadedObject> {
  let data;
  try {
    data = await readWhole(await target.open(), target.size);
  } catch (err) {
    throw storeReadError(target, err);
  }
  const read = digestsOf(data, false);
  if (read.sha256 !== target.sha256 || read.size !== target.size) throw damaged(target, read);
  let reply;
  try {
    reply = await target.client.write(target.key, { body: data, sha256: target.sha256, headers: putHeaders(target), signal: target.signal });
  } catch (err) {
    const e = exportS3Error(err, 'PutObject', target);
    // The bytes matched before they were sent: they were changed on the way.
    throw PAYLOAD_REFUSED.has(e.code) ? changedOnTheWay(e) : e;
  }
  onBytes(data.length);
  return verifyStored(target, reply, async () => digestsOf(data, true));
}

/**
 * Streams a larger file as the request body and puts it unhashed: from the dataset folder by
 * range into two reused buffers (s3/request-body.ts), else from the store's stream.
 */
async function putStreamedObject(target: UploadTarget, onBytes: (n: number) => void): Promise<UploadedObject> {
  let body: Readable | FileRange;
  try {
    body = target.localPath ? new FileRange(target.localPath, 0, target.size, STREAM_READ_BYTES, true) : await target.open();
  } catch (err) {
    throw storeReadError(target, err);
  }
  // The writer destroys a stream body without an error when the request fails; only a failing
  // read emits one (or, from a file range, fails with BodyReadError), and then the dataset
  // store, not the target, is the one to blame.
  let readError: unknown;
  if (!(body instanceof FileRange)) body.on('error', (err) => { readError ??= err; });
  let reply;
  try {
    reply = await target.client.write(target.key, {
      ...(body instanceof FileRange ? { body } : { body, contentLength: target.size }),
      sha256: target.sha256, headers: putHeaders(target), signal: target.signal,
    });
  } catch (err) {
    if (!(body instanceof FileRange)) body.destroy();
    const e = exportS3Error(err, 'PutObject', target);
    if (readError || e.code === 'BodyReadError') throw storeReadError(target, readError ?? e);
    throw PAYLOAD_REFUSED.has(e.code) ? await refused(target, e) : e;
  }
  onBytes(target.size);
  return verifyStored(target, reply, () => fileDigests(target));
}

/** The dataset file as a stream: read directly, in larger chunks, when the store is a folder. */
async function openFile(target: UploadTarget): Promise<Readable> {
  return target.localPath ? createReadStream(target.localPath, { highWaterMark: STREAM_READ_BYTES }) : target.open();
}

/** SHA-256, MD5 and size of the dataset file, read once more (from the page cache, mostly). */
async function fileDigests(target: UploadTarget): Promise<StreamDigests> {
  try {
    const hashed = hashing(await openFile(target));
    await finished(hashed.stream.resume());
    return hashed.digests();
  } catch (err) {
    throw storeReadError(target, err);
  }
}

/**
 * The store refused the streamed bytes as not matching the recorded SHA-256 (or the file is not
 * the recorded size). Hashing the file once tells which side is at fault: a damaged dataset file
 * fails the export for good; a sound one means the bytes changed on the way, worth a retry.
 */
async function refused(target: UploadTarget, err: S3OperationError): Promise<S3OperationError> {
  const read = await fileDigests(target);
  return read.sha256 !== target.sha256 || read.size !== target.size ? damaged(target, read) : changedOnTheWay(err);
}

function changedOnTheWay(err: S3OperationError): S3OperationError {
  return new S3OperationError('transient', err.code, `${err.message} The dataset file matches its recorded SHA-256, so the bytes changed on the way to the store; the upload is retried.`, err.status);
}

// The store holds other bytes than the dataset recorded: a damaged dataset, not worth retrying.
function damaged(target: UploadTarget, read: StreamDigests): S3OperationError {
  return new S3OperationError('permanent', 'DatasetFileDamaged', `the dataset file for ${target.key} does not match its recorded SHA-256 ${target.sha256} (read ${read.sha256}, ${read.size} bytes); it was not exported. Fix: re-run the sync that landed it.`);
}

function storeReadError(target: UploadTarget, err: unknown): S3OperationError {
  return new S3OperationError('transient', 'StoreReadError', `reading the dataset file for ${target.key} failed: ${(err as Error).message}`);
}

function putHeaders(target: UploadTarget): Record<string, string> {
  const headers: Record<string, string> = { 'x-amz-checksum-sha256': hexToBase64(target.sha256) };
  if (target.cannedAcl) headers['x-amz-acl'] = target.cannedAcl;
  for (const [name, value] of Object.entries(target.metadata ?? {})) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

/**
 * Checks the stored object against the dataset's record. When the reply carries the store's
 * SHA-256 of the stored bytes, that equals the recorded one and is the whole check: the store
 * verified the signed payload hash of exactly the bytes it stored, so comparing its MD5 ETag
 * would need the file hashed here and could only repeat what is known. A store that returns no
 * checksum (no support for x-amz-checksum-*) may not verify the payload hash either: then what
 * was sent is hashed (`local`) and compared with the record and with the MD5 ETag, as before.
 */
async function verifyStored(target: UploadTarget, reply: http.IncomingHttpHeaders, local: () => Promise<StreamDigests>): Promise<UploadedObject> {
  const etag = replyHeader(reply, 'etag') ?? '';
  const checksum = replyHeader(reply, 'x-amz-checksum-sha256');
  if (checksum) {
    if (checksum !== hexToBase64(target.sha256)) throw verificationFailed(target, 'SHA-256 checksum');
    return { key: target.key, size: target.size, etag, verifiedBy: 'sha256' };
  }
  const read = await local();
  if (read.sha256 !== target.sha256 || read.size !== target.size) throw damaged(target, read);
  const md5 = etagMd5(etag);
  if (!md5 || kmsEncryptedReply(reply)) return { key: target.key, size: read.size, etag, verifiedBy: 'checksum-header' };
  if (md5 !== read.md5) throw verificationFailed(target, 'MD5 ETag');
  return { key: target.key, size: read.size, etag, verifiedBy: 'md5-etag' };
}
