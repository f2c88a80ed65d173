/**
 * Ranged reads of one S3 object, pinned to the ETag seen first so that a preview never mixes
 * bytes of two versions. Exposes hyparquet's AsyncBuffer shape ({byteLength, slice}).
 */
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { classifyS3Error, S3OperationError } from '../s3/errors';
import type { SourceClient } from '../s3/client';
import { openDecryptedReader } from './decrypted-reader';

/** A random-access view of an S3 object. `bytesRead` counts what was fetched, for tests and logs. */
export interface RangeReader {
  byteLength: number;
  etag: string;
  contentType: string | undefined;
  bytesRead: number;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
}

/** Opens `key` (a full key) for ranged reads. */
export async function openRangeReader(client: SourceClient, key: string): Promise<RangeReader> {
  const what = `s3://${client.bucket}/${key}`;
  let head;
  try {
    head = await client.s3.send(new HeadObjectCommand({ Bucket: client.bucket, Key: key }));
  } catch (err) {
    const classified = classifyS3Error(err, 'HeadObject', client.bucket, `HeadObject ${what}`);
    if (classified.kind !== 'gone') throw classified;
    // Nothing was listed before, so "no longer exists" would mislead: say what is missing and where.
    const relative = key.startsWith(client.prefix) ? key.slice(client.prefix.length) : key;
    throw new S3OperationError('permanent', 'NoSuchKey', `no object ${what} (key "${relative}" below the URL of source ${client.name}). `
      + `Fix: check the key, which is relative to the source URL; list keys with: s3-connector explore ${client.name} --recursive`, classified.status);
  }
  // A client-side encrypted object is read whole and decrypted (decrypted-reader.ts).
  if (client.kms) return openDecryptedReader(client, key, head.ContentLength ?? 0, head.ETag ?? '', head.ContentType);
  const reader: RangeReader = {
    byteLength: head.ContentLength ?? 0,
    etag: head.ETag ?? '',
    contentType: head.ContentType,
    bytesRead: 0,
    async slice(start, end = reader.byteLength) {
      if (end <= start) return new ArrayBuffer(0);
      try {
        const out = await client.s3.send(new GetObjectCommand({
          Bucket: client.bucket, Key: key, Range: `bytes=${start}-${end - 1}`, IfMatch: reader.etag || undefined,
        }));
        const bytes = await out.Body!.transformToByteArray();
        reader.bytesRead += bytes.byteLength;
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      } catch (err) {
        throw classifyS3Error(err, 'GetObject', client.bucket, `GetObject ${what} bytes ${start}-${end - 1}`);
      }
    },
  };
  return reader;
}
