/**
 * A {@link TableStorage} over a local folder, for tests and local tables.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkRelativeKey, TableObjectNotFoundError, TableOutsideRootError,
  type ListOptions, type StoredObject, type TableStorage,
} from './storage';

/** Reads the table whose root is the folder `root`. */
export class LocalTableStorage implements TableStorage {
  readonly location: string;
  private readonly root: string;

  /** @param root the table's folder */
  constructor(root: string) {
    this.root = resolve(root);
    this.location = this.root;
  }

  /** Lists files below the root whose key starts with `prefix`, sorted by key. */
  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<StoredObject> {
    const slash = prefix.lastIndexOf('/');
    const dir = slash < 0 ? '' : prefix.slice(0, slash);
    const keys: string[] = [];
    await this.walk(dir, keys);
    const wanted = keys
      .filter((k) => k.startsWith(prefix) && (options.startAfter === undefined || compareKeys(k, options.startAfter) > 0))
      .sort(compareKeys);
    for (const key of wanted) {
      const info = await stat(this.pathOf(key));
      yield { key, size: info.size, lastModified: Math.floor(info.mtimeMs) };
    }
  }

  /** Reads a whole file. */
  async read(key: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (err) {
      throw this.mapError(err, key);
    }
  }

  /** Reads bytes [start, end) of a file. */
  async readRange(key: string, start: number, end: number): Promise<Uint8Array> {
    let handle;
    try {
      handle = await open(this.pathOf(key), 'r');
    } catch (err) {
      throw this.mapError(err, key);
    }
    try {
      const out = new Uint8Array(Math.max(0, end - start));
      let done = 0;
      while (done < out.length) {
        const { bytesRead } = await handle.read(out, done, out.length - done, start + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return out.subarray(0, done);
    } finally {
      await handle.close();
    }
  }

  /** The key of a `file:` URI below the root. */
  keyOfUri(uri: string): string {
    let path: string;
    try {
      path = fileURLToPath(uri);
    } catch {
      throw new TableOutsideRootError(uri, this.location);
    }
    const rel = relative(this.root, path);
    if (rel === '' || rel.startsWith('..') || rel.includes(`..${sep}`)) throw new TableOutsideRootError(uri, this.location);
    return rel.split(sep).join('/');
  }

  private pathOf(key: string): string {
    return join(this.root, ...checkRelativeKey(key, this.location).split('/'));
  }

  private mapError(err: unknown, key: string): unknown {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'EISDIR' ? new TableObjectNotFoundError(key, this.location) : err;
  }

  private async walk(dir: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir === '' ? this.root : this.pathOf(dir), { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const entry of entries) {
      const key = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) await this.walk(key, out);
      else if (entry.isFile()) out.push(key);
    }
  }
}

/** Compares keys by UTF-8 bytes, as S3 orders them. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
