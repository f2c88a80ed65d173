/**
 * A dataset store inside an S3 source (below its URL). Atomicity comes from S3:
 * - a PUT (or a completed multipart upload) appears whole or not at all;
 * - createExclusive() is a PUT with `If-None-Match: *`, which S3 and MinIO refuse with 412
 *   when the key exists, so two writers can never both create the same transaction record.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { SourceClient } from '../s3/client';
import { classifyS3Error } from '../s3/errors';
import { joinKey } from '../s3/keys';
import { listAll } from '../s3/list';
import type { IngestedBlob, StoreBackend } from './backend';
import { hashing } from './hashing-stream';

/** Opens a store below `client`'s URL. */
export function s3Backend(client: SourceClient): StoreBackend {
  const key = (path: string) => joinKey(client.prefix, path);
  const fail = (err: unknown, op: string, path: string) => classifyS3Error(err, op, client.bucket, `${op} s3://${client.bucket}/${key(path)}`);
  const get = async (path: string) => {
    try {
      return await client.s3.send(new GetObjectCommand({ Bucket: client.bucket, Key: key(path) }));
    } catch (err) {
      const classified = fail(err, 'GetObject', path);
      if (classified.kind === 'gone') return undefined;
      throw classified;
    }
  };
  return {
    location: `s3://${client.bucket}/${client.prefix}`,
    async read(path) {
      const out = await get(path);
      return out ? Buffer.from(await out.Body!.transformToByteArray()) : undefined;
    },
    async readStream(path) {
      const out = await get(path);
      if (!out) throw fail({ name: 'NoSuchKey' }, 'GetObject', path);
      return out.Body as Readable;
    },
    async write(path, data) {
      try {
        await client.s3.send(new PutObjectCommand({ Bucket: client.bucket, Key: key(path), Body: data }));
      } catch (err) {
        throw fail(err, 'PutObject', path);
      }
    },
    async createExclusive(path, data) {
      try {
        await client.s3.send(new PutObjectCommand({ Bucket: client.bucket, Key: key(path), Body: data, IfNoneMatch: '*' }));
        return true;
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 412) return false;
        throw fail(err, 'PutObject', path);
      }
    },
    async ingest(dir, body, { onBytes, md5 = true, ...choice } = {}): Promise<IngestedBlob> {
      const path = `${dir}/${randomUUID()}`;
      const hashed = hashing(body, onBytes, md5, choice);
      // lib-storage aborts the multipart upload itself when a part fails (leavePartsOnError: false),
      // so a failed ingest leaves no incomplete upload behind.
      const upload = new Upload({ client: client.s3, params: { Bucket: client.bucket, Key: key(path), Body: hashed.stream }, queueSize: 4, leavePartsOnError: false });
      try {
        await upload.done();
      } catch (err) {
        throw fail(err, 'PutObject', path);
      }
      return { path, ...hashed.digests() };
    },
    async list(dir) {
      const names: string[] = [];
      // The store's root is key(''): the source's own prefix, which is '' for a bucket-root URL.
      const base = key(dir);
      const prefix = base === '' || base.endsWith('/') ? base : `${base}/`;
      for await (const page of listAll(client, { prefix, delimiter: '/' })) {
        names.push(...page.folders.map((f) => f.slice(prefix.length, -1)), ...page.objects.map((o) => o.key.slice(prefix.length)));
      }
      return names.sort();
    },
    async remove(path) {
      const prefix = key(path);
      for await (const page of listAll(client, { prefix })) {
        const keys = page.objects.map((o) => o.key).filter((k) => k === prefix || k.startsWith(`${prefix}/`));
        if (keys.length === 0) continue;
        try {
          await client.s3.send(new DeleteObjectsCommand({ Bucket: client.bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
        } catch (err) {
          throw fail(err, 'DeleteObjects', path);
        }
      }
    },
  };
}
