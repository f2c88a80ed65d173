/**
 * A dataset store in a local folder. Atomicity comes from the file system:
 * - write(): temp file + rename (replaces atomically);
 * - createExclusive(): temp file + link(), which fails with EEXIST instead of replacing;
 * - ingest(): temp file while hashing, then rename to a content-addressed name.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { IngestedBlob, StoreBackend } from './backend';
import { digestsOf, hashing, readWhole } from './hashing-stream';

/** Bodies up to this size are read whole, hashed and written in one call (see readWhole). */
export const SMALL_BLOB_BYTES = 1024 * 1024;

/** Opens a store rooted at `root` (created on first write). */
export function localBackend(root: string): StoreBackend {
  const base = resolve(root);
  const abs = (path: string) => join(base, ...path.split('/'));
  // Folders this process has created: one mkdir syscall per blob was ~4% of a small-object import.
  // A folder removed later (remove()) is forgotten below, so it is created again when needed.
  const made = new Set<string>();
  const ensureDir = async (dir: string) => {
    if (made.has(dir)) return;
    await mkdir(dir, { recursive: true });
    made.add(dir);
  };
  const tempFor = async (path: string) => {
    const file = `${abs(path)}.tmp-${randomUUID()}`;
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
    async readStream(path) {
      return createReadStream(abs(path));
    },
    localPath: (path) => abs(path),
    async write(path, data) {
      const put = async () => {
        const temp = await tempFor(path);
        await writeFile(temp, data);
        await rename(temp, abs(path));
      };
      await put().catch(async (err: NodeJS.ErrnoException) => {
        // Another process removed a folder this one remembers creating: create it again.
        if (err.code !== 'ENOENT') throw err;
        made.clear();
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
    async ingest(dir, body, onBytes, sizeHint): Promise<IngestedBlob> {
      const small = sizeHint !== undefined && sizeHint <= SMALL_BLOB_BYTES;
      // Attach the reader before any await, so no chunk flows past unread.
      const whole = small ? readWhole(body, sizeHint, onBytes) : undefined;
      const hashed = small ? undefined : hashing(body, onBytes);
      const temp = await tempFor(`${dir}/incoming`);
      try {
        let digests;
        if (whole) {
          const data = await whole;
          digests = digestsOf(data);
          await writeFile(temp, data);
        } else {
          await pipeline(hashed!.stream, createWriteStream(temp));
          digests = hashed!.digests();
        }
        const { sha256, md5, size } = digests;
        // Content-addressed: the same bytes always land at the same path, so a retried copy is idempotent.
        const path = `${dir}/${sha256.slice(0, 2)}/${sha256}`;
        await ensureDir(dirname(abs(path)));
        await rename(temp, abs(path));
        return { path, sha256, md5, size };
      } catch (err) {
        // A folder removed by another process: forget it, so the retried copy creates it again.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') made.clear();
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
