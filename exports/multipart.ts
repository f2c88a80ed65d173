/**
 * Uploads one large file as a resumable multipart upload. The upload ID and the finished parts
 * (number, ETag, SHA-256) are reported through `onState` after every part; the caller keeps
 * them in the activity's heartbeat details, so an attempt retried after a worker crash passes
 * them back as `resume` and uploads only the missing parts. Every part's SHA-256 is signed as its
 * payload hash and sent as x-amz-checksum-sha256 (see part-sources.ts for how parts are read
 * without holding them in memory), the whole file is hashed against the dataset's recorded
 * SHA-256 on the way, and the completed object's composite checksum (or, from a store without
 * checksums, its ETag) is compared with the one computed from the parts.
 */
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, HeadObjectCommand, ListMultipartUploadsCommand,
  ListPartsCommand, type CompleteMultipartUploadCommandOutput, type ObjectCannedACL,
} from '@aws-sdk/client-s3';
import { S3OperationError } from '../s3/errors';
import { fileParts, partMd5, streamParts, type PartBytes } from './part-sources';
import { compositeSha256, multipartEtag, type PartRecord } from './parts';
import { base64ToHex, etagMd5, kmsEncrypted } from '../s3/checksums';
import { exportS3Error, kmsEncryptedReply, PAYLOAD_REFUSED, replyHeader, verificationFailed, type UploadedObject, type UploadTarget } from './s3-calls';

/** An open multipart upload and its finished parts. */
export interface MultipartState {
  key: string;
  uploadId: string;
  partSize: number;
  parts: PartRecord[];
}

/** How to run one multipart upload. */
export interface MultipartOptions {
  partSize: number;
  /**
   * Parts in flight at once. From a local file parts are streamed by range; from a stream,
   * memory holds about this many parts plus one.
   */
  concurrency: number;
  /** State saved by an earlier attempt, from its heartbeat details. */
  resume?: MultipartState;
  /** Called with the state after the upload is created and after each part. */
  onState: (state: MultipartState) => void;
  /** Records a new upload durably (so cleanup can abort it) before any part is sent. */
  register: (state: MultipartState) => Promise<void>;
  /** Forgets an upload that was completed or aborted. */
  unregister: (state: MultipartState) => Promise<void>;
  onBytes: (n: number) => void;
  log: (message: string, attrs: Record<string, unknown>) => void;
}

const isNoSuchUpload = (err: unknown) => err instanceof S3OperationError && (err.code === 'NoSuchUpload' || err.status === 404);

/** Aborts `state`'s upload; an upload already gone is fine. */
export async function abortUpload(target: Pick<UploadTarget, 'client' | 'key' | 'cannedAcl'>, uploadId: string): Promise<void> {
  try {
    await target.client.s3.send(new AbortMultipartUploadCommand({ Bucket: target.client.bucket, Key: target.key, UploadId: uploadId }));
  } catch (err) {
    const e = exportS3Error(err, 'AbortMultipartUpload', { ...target, size: 0, sha256: '', open: () => { throw new Error('unused'); } });
    if (!isNoSuchUpload(e)) throw e;
  }
}

/** The parts of `resume` that the store confirms (ListParts); all of them when listing is not permitted. */
async function confirmedParts(target: UploadTarget, resume: MultipartState): Promise<PartRecord[] | undefined> {
  try {
    const listed = new Map<number, string>();
    let marker: string | undefined;
    do {
      const page = await target.client.s3.send(new ListPartsCommand({ Bucket: target.client.bucket, Key: target.key, UploadId: resume.uploadId, PartNumberMarker: marker }));
      for (const p of page.Parts ?? []) if (p.PartNumber !== undefined) listed.set(p.PartNumber, p.ETag ?? '');
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker);
    return resume.parts.filter((p) => listed.get(p.n) === p.etag);
  } catch (err) {
    const e = exportS3Error(err, 'ListParts', target);
    if (isNoSuchUpload(e)) return undefined; // completed or aborted meanwhile: start over
    if (e.code === 'AccessDenied') return resume.parts; // s3:ListMultipartUploadParts not granted: trust the heartbeat
    throw e;
  }
}

/**
 * Sends one part on the lean path (s3/lean-client.ts) with its SHA-256 signed as the payload hash
 * and sent as x-amz-checksum-sha256, so the store refuses other bytes than were hashed, and checks
 * the checksum it returns. A store that returns none may have checked neither: the part is then
 * read once more and its MD5 compared with the part's ETag (as the multipart ETag will be). MD5 is
 * not computed otherwise: it would be a third hash pass over every byte of a large export.
 */
async function uploadPart(target: UploadTarget, uploadId: string, part: PartBytes, sha256: string): Promise<PartRecord> {
  const body = part.body();
  let reply;
  try {
    reply = await target.client.write(target.key, {
      body,
      sha256: base64ToHex(sha256), headers: { 'x-amz-checksum-sha256': sha256 }, part: { uploadId, n: part.n }, signal: target.signal,
    });
  } catch (err) {
    const e = exportS3Error(err, 'UploadPart', target);
    // The bytes sent differ from those hashed a moment before: the file changed in between, or
    // the bytes on the way. A retry hashes the file again, and its whole-file check decides.
    if (PAYLOAD_REFUSED.has(e.code)) throw new S3OperationError('transient', e.code, `${e.message} Part ${part.n} was refused as not the bytes hashed; the upload is retried.`, e.status);
    throw e;
  }
  const etag = replyHeader(reply, 'etag') ?? '';
  const checksum = replyHeader(reply, 'x-amz-checksum-sha256');
  if (checksum !== undefined) {
    if (checksum !== sha256) throw verificationFailed(target, `part ${part.n} SHA-256`);
    return { n: part.n, etag, sha256 };
  }
  const md5 = await partMd5(part.body());
  const stored = etagMd5(etag);
  if (stored && !kmsEncryptedReply(reply) && stored !== md5) throw verificationFailed(target, `part ${part.n} MD5 ETag`);
  return { n: part.n, etag, sha256, md5 };
}

/** One pass: resumes `resume` (or creates an upload), sends the missing parts, completes. */
async function runUpload(target: UploadTarget, options: MultipartOptions, resume: MultipartState | undefined): Promise<UploadedObject> {
  const { client, key } = target;
  let state = resume;
  if (!state) {
    let created;
    try {
      created = await client.s3.send(new CreateMultipartUploadCommand({
        Bucket: client.bucket, Key: key, ChecksumAlgorithm: 'SHA256', ACL: target.cannedAcl as ObjectCannedACL | undefined, Metadata: target.metadata,
      }), { abortSignal: target.signal });
    } catch (err) {
      throw exportS3Error(err, 'CreateMultipartUpload', target);
    }
    state = { key, uploadId: created.UploadId ?? '', partSize: options.partSize, parts: [] };
    await options.register(state);
    // The SDK resent the request after losing a reply: the store may have created an upload
    // for each attempt, and only the last is known here.
    if ((created.$metadata.attempts ?? 1) > 1) await abortLostUploads(target, state.uploadId, options.log);
    options.onState(state);
  }
  const current = state;
  const done = new Map(current.parts.map((p) => [p.n, p]));
  const whole = createHash('sha256');
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let size = 0;
  const wanted = (n: number) => !done.has(n);
  const parts = target.localPath
    ? fileParts(target.localPath, current.partSize, whole, wanted)
    : streamParts(await target.open(), current.partSize, whole, wanted);
  for await (const part of parts) {
    if (failure || target.signal?.aborted) break;
    size += part.size;
    if (done.has(part.n) || !part.sha256) continue; // already uploaded (only hashed into `whole`)
    const task: Promise<void> = uploadPart(target, current.uploadId, part, part.sha256).then((record) => {
      done.set(part.n, record);
      current.parts = [...done.values()].sort((a, b) => a.n - b.n);
      options.onBytes(part.size);
      options.onState(current);
    }, (err) => { failure ??= err; }).finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= options.concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  target.signal?.throwIfAborted();
  if (whole.digest('hex') !== target.sha256 || size !== target.size) {
    throw new S3OperationError('permanent', 'DatasetFileDamaged', `the dataset file for ${key} does not match its recorded SHA-256 ${target.sha256}; it was not exported. Fix: re-run the sync that landed it.`);
  }
  const sent = [...done.values()].sort((a, b) => a.n - b.n);
  let reply: Pick<CompleteMultipartUploadCommandOutput, 'ETag' | 'ChecksumSHA256' | 'ServerSideEncryption' | 'SSEKMSKeyId'>;
  try {
    reply = await client.s3.send(new CompleteMultipartUploadCommand({
      Bucket: client.bucket, Key: key, UploadId: current.uploadId,
      MultipartUpload: { Parts: sent.map((p) => ({ PartNumber: p.n, ETag: p.etag, ChecksumSHA256: p.sha256 })) },
    }), { abortSignal: target.signal });
  } catch (err) {
    const e = exportS3Error(err, 'CompleteMultipartUpload', target);
    // A completion whose reply was lost and that the SDK sent again: the store completed the
    // upload the first time and (MinIO) no longer knows it. The object tells whether it did.
    const completed = isNoSuchUpload(e) ? await completedObject(target, sent, size) : undefined;
    if (!completed) throw e;
    options.log('multipart upload was already completed; its reply was lost', { key, uploadId: current.uploadId });
    reply = completed;
  }
  await options.unregister(current);
  const verified: string[] = [];
  if (reply.ChecksumSHA256) {
    if (reply.ChecksumSHA256 !== compositeSha256(sent)) throw verificationFailed(target, 'composite SHA-256 checksum');
    verified.push('sha256');
  }
  // Only parts sent to a store that returned no checksum were hashed with MD5 (uploadPart).
  if (reply.ETag && !kmsEncrypted(reply) && sent.every((p) => p.md5)) {
    if (reply.ETag.replace(/"/g, '') !== multipartEtag(sent).replace(/"/g, '')) throw verificationFailed(target, 'multipart ETag');
    verified.push('md5-etag');
  }
  return { key, size, etag: reply.ETag ?? '', verifiedBy: verified.join('+') || 'part-checksums', parts: sent.length };
}

/**
 * The object at `target.key` when it is the completion of `sent` (same size and composite
 * SHA-256 of the parts), or undefined.
 */
async function completedObject(target: UploadTarget, sent: readonly PartRecord[], size: number) {
  try {
    const head = await target.client.s3.send(new HeadObjectCommand({ Bucket: target.client.bucket, Key: target.key, ChecksumMode: 'ENABLED' }));
    return head.ContentLength === size && head.ChecksumSHA256 === compositeSha256(sent) ? head : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Aborts the uploads of `target.key` other than `keep` that were started in the last 10
 * minutes: those of CreateMultipartUpload attempts whose reply was lost. Needs
 * s3:ListBucketMultipartUploads; without it they are left to the bucket's lifecycle rule.
 */
async function abortLostUploads(target: UploadTarget, keep: string, log: MultipartOptions['log']): Promise<void> {
  try {
    const listed = await target.client.s3.send(new ListMultipartUploadsCommand({ Bucket: target.client.bucket, Prefix: target.key }));
    const since = Date.now() - 10 * 60_000;
    for (const upload of listed.Uploads ?? []) {
      if (upload.Key !== target.key || !upload.UploadId || upload.UploadId === keep || (upload.Initiated?.getTime() ?? 0) < since) continue;
      await abortUpload(target, upload.UploadId);
      log('aborted a multipart upload created by a retried request', { key: target.key, uploadId: upload.UploadId });
    }
  } catch (err) {
    log('could not look for multipart uploads created by a retried request', { key: target.key, error: (err as Error).message });
  }
}

/**
 * Uploads `target` in parts, resuming `options.resume` when the store still has it. On a
 * permanent failure the upload is aborted: no retry will resume it, and an abandoned upload
 * keeps its parts (and their storage cost) forever unless a lifecycle rule removes them. After a
 * transient failure it is kept, for the retried attempt to resume.
 */
export async function uploadMultipart(target: UploadTarget, options: MultipartOptions): Promise<UploadedObject> {
  let resume = options.resume && options.resume.key === target.key && options.resume.partSize === options.partSize ? options.resume : undefined;
  if (resume) {
    const parts = await confirmedParts(target, resume);
    resume = parts ? { ...resume, parts } : undefined;
    if (resume) options.log('resuming multipart upload', { key: target.key, uploadId: resume.uploadId, partsDone: resume.parts.length });
  }
  let uploadId = resume?.uploadId;
  try {
    try {
      return await runUpload(target, { ...options, onState: (s) => { uploadId = s.uploadId; options.onState(s); } }, resume);
    } catch (err) {
      if (!resume || !isNoSuchUpload(err)) throw err;
      options.log('multipart upload gone; starting it again', { key: target.key, uploadId: resume.uploadId });
      return await runUpload(target, { ...options, onState: (s) => { uploadId = s.uploadId; options.onState(s); } }, undefined);
    }
  } catch (err) {
    const permanent = !(err instanceof S3OperationError && err.kind === 'transient') || target.signal?.aborted;
    if (permanent && uploadId) {
      await abortUpload(target, uploadId).catch(() => undefined); // the workflow's cleanup activity tries again
      await options.unregister({ key: target.key, uploadId, partSize: options.partSize, parts: [] }).catch(() => undefined);
    }
    throw err;
  }
}
