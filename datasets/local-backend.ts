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
import { hashing } from './hashing-stream';

/** Opens a store rooted at `root` (created on first write). */
export function localBackend(root: string): StoreBackend {
  const base = resolve(root);
  const abs = (path: string) => join(base, ...path.split('/'));
  const tempFor = async (path: string) => {
    const file = `${abs(path)}.tmp-${randomUUID()}`;
    await mkdir(dirname(file), { recursive: true });
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
      const temp = await tempFor(path);
      await writeFile(temp, data);
      await rename(temp, abs(path));
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
    async ingest(dir, body, onBytes): Promise<IngestedBlob> {
      // Attach the hashing pipe before any await, so no chunk flows past unread.
      const hashed = hashing(body, onBytes);
      const temp = await tempFor(`${dir}/incoming`);
      try {
        await pipeline(hashed.stream, createWriteStream(temp));
        const { sha256, md5, size } = hashed.digests();
        // Content-addressed: the same bytes always land at the same path, so a retried copy is idempotent.
        const path = `${dir}/${sha256.slice(0, 2)}/${sha256}`;
        await mkdir(dirname(abs(path)), { recursive: true });
        await rename(temp, abs(path));
        return { path, sha256, md5, size };
      } catch (err) {
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
      await rm(abs(path), { recursive: true, force: true });
    },
  };
}
