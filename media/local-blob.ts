/**
 * A blob of the dataset store as a local file: the file itself on a local folder store, or a
 * temporary copy streamed from an S3 store (constant memory; removed afterwards).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { StoreBackend } from '../datasets/backend';

/** Runs `fn` on a local file holding the bytes of store path `blob`. */
export async function withLocalBlob<T>(store: StoreBackend, blob: string, fn: (file: string) => Promise<T>): Promise<T> {
  const local = store.localPath?.(blob);
  if (local) return fn(local);
  const dir = await mkdtemp(join(tmpdir(), 's3c-media-'));
  try {
    const file = join(dir, randomUUID());
    await pipeline(await store.readStream(blob), createWriteStream(file));
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
