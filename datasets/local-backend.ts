/**
 * A dataset store in a local folder. Atomicity comes from the file system:
 * - write(): temp file + rename (replaces atomically);
 * - createExclusive(): temp file + link(), which fails with EEXIST instead of replacing;
 * - ingest(): temp file while hashing, then rename to a content-addressed name; bodies up to
 *   SMALL_BLOB_BYTES are created under that name directly, exclusively (O_EXCL).
 * Blob bytes are hashed and written on a writing thread (blob-writer.ts, blob-threads.ts), and
 * named by their SHA-256 (blob-path.ts).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { IngestedBlob, StoreBackend } from './backend';
import { blobPath } from './blob-path';
import { writeWholeBlob, type BlobOptions } from './blob-threads';
import { BlobWriter } from './blob-writer';
import { readWhole } from './hashing-stream';

/** Bodies up to this size are read whole, hashed and written in one call (see readWhole). */
export const SMALL_BLOB_BYTES = 1024 * 1024;

/** Opens a store rooted at `root` (created on first write). */
export function localBackend(root: string): StoreBackend {
  const base = resolve(root);
  const abs = (path: string) => join(base, ...path.split('/'));
  // Folders this process has created, so that a blob whose folder exists costs no mkdir syscall
  // (a noticeable share of a small-object import). A folder removed later (remove()) is
  // forgotten below, so it is created again when needed.
  const made = new Set<string>();
  const ensureDir = async (dir: string) => {
    if (made.has(dir)) return;
    await mkdir(dir, { recursive: true });
    made.add(dir);
  };
  // A folder removed by another process: forget what was made, so a retry creates it again.
  const forgetOnMissing = (err: unknown): boolean => {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    made.clear();
    return true;
  };
  /**
   * Small blobs are hashed and created in place on a writing thread (blob-threads.ts), in one
   * message: no temp file and no rename (the costliest file call per blob on ext4), and none of
   * the three thread-pool round trips of open, write and close on this thread.
   */
  const ingestSmall = async (dir: string, whole: Promise<Buffer>, choice: BlobOptions): Promise<IngestedBlob> => {
    const digests = await writeWholeBlob(abs(dir), await whole, choice);
    return { path: blobPath(dir, digests.sha256), ...digests };
  };
  const tempName = (path: string) => `${abs(path)}.tmp-${randomUUID()}`;
  const tempFor = async (path: string) => {
    const file = tempName(path);
    await ensureDir(dirname(file));
    return file;
  };
  return {
    location: base,
    async read(path) {
      try {
        return await readFile(abs(path));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    readStream(path) {
      return Promise.resolve(createReadStream(abs(path)));
    },
    localPath: (path) => abs(path),
    async write(path, data) {
      const put = async () => {
        const temp = await tempFor(path);
        await writeFile(temp, data);
        await rename(temp, abs(path));
      };
      await put().catch(async (err: NodeJS.ErrnoException) => {
        if (!forgetOnMissing(err)) throw err;
        await put();
      });
    },
    async createExclusive(path, data) {
      const temp = await tempFor(path);
      await writeFile(temp, data, { flush: true });
      try {
        await link(temp, abs(path));
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw err;
      } finally {
        await unlink(temp);
      }
    },
    async ingest(dir, body, { onBytes, sizeHint, md5 = true, ownedChunks = false, ...digests } = {}): Promise<IngestedBlob> {
      const choice = { ...digests, md5, moveChunks: ownedChunks };
      // Attach the reader before any await, so no chunk flows past unread.
      if (sizeHint !== undefined && sizeHint <= SMALL_BLOB_BYTES) return ingestSmall(dir, readWhole(body, sizeHint, onBytes), choice);
      // Hashed and written on a thread (blob-writer.ts): this thread parses every response.
      const temp = tempName(`${dir}/incoming`);
      const writer = new BlobWriter(temp, choice, onBytes);
      try {
        await pipeline(body, writer);
        const digests = writer.digests();
        const path = blobPath(dir, digests.sha256);
        await ensureDir(dirname(abs(path)));
        await rename(temp, abs(path));
        return { path, ...digests };
      } catch (err) {
        forgetOnMissing(err);
        await rm(temp, { force: true });
        throw err;
      }
    },
    async list(dir) {
      try {
        return (await readdir(abs(dir))).filter((n) => !n.includes('.tmp-')).sort();
      } catch (err) {
        // A file has nothing below it, as a key with no `<key>/...` keys has on S3.
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return [];
        throw err;
      }
    },
    async remove(path) {
      const target = abs(path);
      for (const dir of made) if (dir === target || dir.startsWith(`${target}/`)) made.delete(dir);
      await rm(target, { recursive: true, force: true });
    },
  };
}
