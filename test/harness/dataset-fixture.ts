/**
 * Datasets made directly in a local store (blobs, one manifest part, a committed record), for
 * export tests that need many or large files without syncing them first. Same format as syncs
 * write (docs/dataset-format.md).
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Dataset } from '../../datasets/dataset';
import { toJsonLines } from '../../datasets/jsonl';
import { localBackend } from '../../datasets/local-backend';
import type { FileEntry, TransactionRecord, TransactionType } from '../../datasets/types';

/** One file to commit: its path and its bytes (a buffer, or a stream for large files). */
export interface FixtureFile {
  path: string;
  body: Buffer | string | (() => Readable);
}

/** Commits `files` to dataset `name` of the local store at `root` as one transaction. */
export async function commitFixture(root: string, name: string, files: FixtureFile[], type: TransactionType = 'APPEND'): Promise<TransactionRecord> {
  const store = localBackend(root);
  const runKey = randomUUID();
  const entries: FileEntry[] = [];
  for (const f of files) {
    const body = typeof f.body === 'function' ? f.body() : Readable.from([Buffer.from(f.body)]);
    const blob = await store.ingest(`${name}/blobs`, body);
    entries.push({
      path: f.path, size: blob.size, sha256: blob.sha256, blob: blob.path, verifiedBy: 'size-only',
      source: { bucket: 'fixture', key: f.path, etag: `"${blob.md5}"`, size: blob.size, lastModified: new Date().toISOString() },
    });
  }
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const manifest = `${name}/manifests/${runKey}/part-000001.jsonl`;
  await store.write(manifest, toJsonLines(entries));
  return new Dataset(store, name).commit({
    type, runKey, job: 'fixture', manifests: entries.length ? [manifest] : [], fileCount: entries.length, bytes: entries.reduce((n, e) => n + e.size, 0),
  });
}
