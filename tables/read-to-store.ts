/**
 * A table read run on a worker (`tables read` without --direct): the read's bytes, in its output
 * format (read-output.ts), streamed into the dataset store as one blob below a reserved folder,
 * `_reads/<workflow id>/` (`_reads` holds no transaction record, so it is never listed as a
 * dataset), in a sub-folder named by the time the write began. The caller copies the blob out
 * and removes the folder. A read that fails or is cancelled removes its folder before it
 * reports, so the store keeps nothing of it; a folder whose caller died before removing it is
 * removed by a later read once it is {@link ABANDONED_READ_MS} old.
 */
import { Readable } from 'node:stream';
import type { StoreBackend } from '../datasets/backend';
import { encodeTableRead, type ReadFormat, type ReadProgress, type ReadSummary } from './read-output';
import type { OpenedTable, ReadRequest } from './registry-ops';

/** The folder of reads in progress in the dataset store. */
export const READS_DIR = '_reads';

/**
 * A read folder whose write began this long ago was abandoned (its CLI died before removing it):
 * twice the readTable workflow's 12-hour limit, so no read still running is touched.
 */
export const ABANDONED_READ_MS = 24 * 3600_000;

/** What a read left in the store, for the caller to copy out. */
export interface StoredRead {
  /** The blob holding the whole output, relative to the store's root. */
  path: string;
  /** The folder to remove once it is copied. */
  folder: string;
  format: ReadFormat;
  rows: number;
  bytes: number;
  /** The version and columns read. */
  header: ReadSummary;
}

/** The folder of read `id` (a workflow id, `readTable/<table>/<uuid>`) in the store: one path segment, the id URI-encoded. */
export function readFolder(id: string): string {
  if (id === '' || id === '.' || id === '..') throw new RangeError(`read id "${id}" cannot name a folder`);
  return `${READS_DIR}/${encodeURIComponent(id)}`;
}

/**
 * Streams the read into `store` below `folder` and returns where. Anything an earlier attempt
 * left there is removed first; on failure, or when `signal` aborts, the folder is removed and
 * the error thrown.
 */
export async function readTableToStore(
  table: OpenedTable, request: ReadRequest, format: ReadFormat, store: StoreBackend, folder: string, signal?: AbortSignal,
): Promise<StoredRead> {
  await store.remove(folder);
  // Housekeeping must not fail the read: a store that cannot list fails the write below anyway.
  await sweepAbandonedReads(store, Date.now(), folder).catch(() => []);
  const progress: ReadProgress = { rows: 0, bytes: 0 };
  // The store reports a failed body as its own write failure: the read's error says what went wrong, and whether to retry.
  let readError: unknown;
  async function* bytes() {
    try {
      yield* encodeTableRead(table, request, format, progress);
    } catch (err) {
      readError = err;
      throw err;
    }
  }
  const body = Readable.from(bytes(), { objectMode: false });
  // A cancelled read ends at once: the body's source may be waiting on a stalled request, and a
  // destroyed Readable.from waits for it before it errors, so the store's write is not awaited.
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      const reason: unknown = signal?.reason ?? new Error('the read was cancelled');
      reject(reason);
      body.destroy(reason instanceof Error ? reason : new Error(String(reason)));
    };
  });
  aborted.catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  const written = store.ingest(`${folder}/${Date.now()}`, body, { md5: false });
  written.catch(() => undefined); // lost the race to `aborted`: its failure is expected and answered below
  try {
    if (signal?.aborted) onAbort();
    const { path } = await Promise.race([written, aborted]);
    return { path, folder, format, rows: progress.rows, bytes: progress.bytes, header: progress.header ?? { columns: [] } };
  } catch (err) {
    body.destroy();
    await store.remove(folder);
    throw signal?.aborted ? signal.reason ?? err : readError ?? err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Removes the read folders below `_reads/` (but `keep`) whose write began over
 * {@link ABANDONED_READ_MS} before `now`; returns their names. A folder with no write yet (an
 * upload under way shows no object) or not named by a time is left alone.
 */
export async function sweepAbandonedReads(store: StoreBackend, now: number, keep?: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await store.list(READS_DIR)) {
    const folder = `${READS_DIR}/${name}`;
    if (folder === keep) continue;
    const started = (await store.list(folder)).filter((n) => /^\d+$/.test(n)).map(Number);
    if (started.length > 0 && Math.max(...started) < now - ABANDONED_READ_MS) {
      await store.remove(folder);
      removed.push(name);
    }
  }
  return removed;
}
