/**
 * A dataset store in a local folder. Atomicity comes from the file system:
 * - write(): temp file + rename (replaces atomically);
 * - createExclusive(): temp file + link(), which fails with EEXIST instead of replacing;
 * - ingest(): temp file while hashing, then rename to a content-addressed name; bodies up to
 *   SMALL_BLOB_BYTES are created under that name directly, exclusively (O_EXCL).
 * Blob bytes are hashed and written on a writing thread (blob-writer.ts, blob-threads.ts), and
 * named by their SHA-256 (blob-path.ts). A worker killed mid-ingest leaves its
 * `incoming.tmp-<uuid>`; later ingests into that folder remove such files once they are stale.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { IngestedBlob, StoreBackend } from './backend';
import { blobPath } from './blob-path';
import { writeWholeBlob, type BlobOptions } from './blob-threads';
import { BlobWriter } from './blob-writer';
import { readWhole } from './hashing-stream';

/** Bodies up to this size are read whole, hashed and written in one call (see readWhole). */
export const SMALL_BLOB_BYTES = 1024 * 1024;

/**
 * An `incoming.tmp-*` file unwritten for this long is a dead writer's: a live ingest writes its
 * temp file as the body arrives, and a body silent for socketTimeoutMs (at most 1 h) fails.
 */
export const STALE_INCOMING_MS = 2 * 3600_000;

/** Each process looks for stale incoming files in a folder at its first ingest there, then at most this often. */
const INCOMING_SWEEP_INTERVAL_MS = 3600_000;

/**
 * Removes the `incoming.tmp-*` files of folder `dir` (absolute) last written before `before`
 * (ms); returns their names. Other files, and folders, are left alone.
 */
export async function removeStaleIncoming(dir: string, before: number): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.startsWith('incoming.tmp-'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const removed: string[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile() || info.mtimeMs >= before) continue;
    await rm(file, { force: true });
    removed.push(name);
  }
  return removed;
}

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
  // When this process last looked for stale incoming files, by folder.
  const swept = new Map<string, number>();
  const sweepIncoming = (dir: string) => {
    const now = Date.now();
    if (now - (swept.get(dir) ?? -Infinity) < INCOMING_SWEEP_INTERVAL_MS) return;
    swept.set(dir, now);
    // In the background: an ingest never waits for it, and a failed sweep is tried again later.
    void removeStaleIncoming(abs(dir), now - STALE_INCOMING_MS).catch(() => swept.delete(dir));
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
      sweepIncoming(dir);
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
