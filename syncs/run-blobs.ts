/**
 * Removing the blobs of a sync run that failed or was cancelled (abortRun), without ever
 * removing a blob something else references (docs/dataset-format.md, "Garbage").
 *
 * The run's blobs are those its progress files, manifest parts and abandoned-blob lists (blobs
 * an attempt wrote but stopped before recording, `abandoned-<page>-<id>.jsonl`) list. Two kinds:
 * - a blob of its own, `<dataset>/blobs/<uuid>` (S3 stores: a new name per copy): nothing else
 *   can reference it, so it is removed;
 * - a content-addressed blob, `<dataset>/blobs/<xx>/<sha256>` (local stores): the same bytes
 *   landed by any run share it. It is removed only when no committed record's manifest lists it
 *   and no other run of the dataset is in progress. Another run may hold an entry for it in
 *   memory only (it saves its progress every 2 s, or after a long copy), so its staging files
 *   cannot prove the blob unused: while one is in progress the blobs are kept (left as
 *   garbage). A run that starts meanwhile is caught because a run writes its plan to
 *   `runs/<runKey>/` before it copies anything: the blobs are first renamed to a `.tmp-` name,
 *   then the staging folders are looked at again, and if a run appeared they are renamed back.
 *
 * Memory holds the blob names of up to BATCH_BLOBS entries at a time; each batch of content-
 * addressed blobs reads the committed manifests once.
 */
import { rename, rm, stat } from 'node:fs/promises';
import pLimit from 'p-limit';
import type { StoreBackend } from '../datasets/backend';
import { Dataset } from '../datasets/dataset';
import { fromJsonLines } from '../datasets/jsonl';
import type { TransactionRecord } from '../datasets/types';

/** A staging folder of another run written to within this time is a run in progress (a page activity lasts at most 12 h). */
export const LIVE_STAGING_MS = 24 * 3600_000;

/** Entries whose blobs are handled at once. */
const BATCH_BLOBS = 50_000;

/** `<dataset>/blobs/<first 2 hex digits>/<sha256>`: named by content, shared by every copy of the bytes. */
const CONTENT_ADDRESSED = /\/blobs\/([0-9a-f]{2})\/\1[0-9a-f]{62}$/;

/** What became of a run's blobs. */
export interface RunBlobs {
  /** Blobs removed. */
  removed: number;
  /** Blobs left in place: referenced by a committed transaction, or possibly by a run in progress. */
  kept: number;
}

/** Where the run's staging and manifests are, as runPaths gives them. */
interface RunFolders {
  staging: string;
  manifests: string;
}

/** Is `err` a missing file? */
const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** Rethrows `err` unless it is a missing file (already moved or removed, by an earlier attempt). */
const ignoreMissing = (err: unknown) => {
  if (!missing(err)) throw err;
};

/** Whether a local file exists. */
const exists = (file: string) => stat(file).then(() => true, (err: unknown) => {
  if (missing(err)) return false;
  throw err;
});

/**
 * Removes the blobs of run `runKey` of `dataset` that nothing else references (see above). Call
 * it before the run's staging files and manifests are removed: they say which blobs it wrote.
 * Idempotent: a retry after a crash mid-way finishes the job.
 */
export async function removeRunBlobs(store: StoreBackend, dataset: string, runKey: string, records: readonly TransactionRecord[],
  folders: RunFolders): Promise<RunBlobs> {
  const result: RunBlobs = { removed: 0, kept: 0 };
  // A page's blobs are in its progress file and, once the page ended, its manifest part.
  const pageFiles = new Map<string, string[]>();
  const add = (page: string, path: string) => pageFiles.set(page, [...(pageFiles.get(page) ?? []), path]);
  for (const name of await store.list(folders.staging)) {
    const page = /^(?:progress|abandoned)-(\d+)(?:-[\w-]+)?\.jsonl$/.exec(name)?.[1];
    if (page) add(page, `${folders.staging}/${name}`);
  }
  for (const name of await store.list(folders.manifests)) {
    const page = /^part-(\d+)\.jsonl$/.exec(name)?.[1];
    if (page) add(page, `${folders.manifests}/${name}`);
  }
  let batch = new Set<string>();
  let entries = 0;
  const flush = async () => {
    const done = await removeBatch(store, dataset, runKey, records, batch);
    result.removed += done.removed;
    result.kept += done.kept;
    batch = new Set();
    entries = 0;
  };
  for (const [, files] of [...pageFiles].sort(([a], [b]) => a.localeCompare(b))) {
    for (const file of files) {
      const text = await store.read(file);
      if (!text) continue;
      for (const entry of fromJsonLines<{ blob?: unknown }>(text)) {
        if (typeof entry.blob === 'string' && entry.blob.startsWith(`${dataset}/blobs/`)) batch.add(entry.blob);
        entries += 1;
      }
    }
    if (entries >= BATCH_BLOBS) await flush();
  }
  if (batch.size > 0) await flush();
  return result;
}

/** Handles one batch of the run's blobs. */
async function removeBatch(store: StoreBackend, dataset: string, runKey: string, records: readonly TransactionRecord[], blobs: Set<string>): Promise<RunBlobs> {
  const result: RunBlobs = { removed: 0, kept: 0 };
  const limit = pLimit(8);
  const shared = new Set<string>();
  const own: string[] = [];
  for (const blob of blobs) {
    if (CONTENT_ADDRESSED.test(blob)) shared.add(blob);
    else own.push(blob);
  }
  await Promise.all(own.map((blob) => limit(async () => {
    await store.remove(blob);
    result.removed += 1;
  })));
  if (shared.size === 0) return result;
  const local = store.localPath?.bind(store);
  if (!local || await otherRunInProgress(store, dataset, runKey)) {
    result.kept += shared.size;
    return result;
  }
  const view = new Dataset(store, dataset);
  for (const record of records) {
    for (const part of record.manifests) {
      for (const entry of await view.manifestPart(record, part)) {
        if (shared.delete(entry.blob)) result.kept += 1;
      }
    }
  }
  // Out of the way first, so that a run starting now writes its own copy of the bytes.
  const trash = (blob: string) => `${local(blob)}.tmp-abort-${runKey}`;
  await Promise.all([...shared].map((blob) => limit(() => rename(local(blob), trash(blob)).catch(ignoreMissing))));
  if (await otherRunInProgress(store, dataset, runKey)) {
    // A run started meanwhile and may have taken a blob before it was moved: every one goes back.
    await Promise.all([...shared].map((blob) => limit(async () => {
      // A blob written again meanwhile holds the same bytes: the moved copy is then not needed.
      if (await exists(local(blob))) await rm(trash(blob), { force: true });
      else await rename(trash(blob), local(blob)).catch(ignoreMissing);
    })));
    result.kept += shared.size;
    return result;
  }
  await Promise.all([...shared].map((blob) => limit(() => rm(trash(blob), { force: true }))));
  result.removed += shared.size;
  return result;
}

/**
 * Whether a run of `dataset` other than `runKey` is in progress: its staging folder
 * (`runs/<runKey>/`) was written to within LIVE_STAGING_MS. Local stores only (it reads the
 * folders' modification times; a write replaces a file by renaming one into the folder).
 */
async function otherRunInProgress(store: StoreBackend, dataset: string, runKey: string): Promise<boolean> {
  const now = Date.now();
  for (const name of await store.list(`${dataset}/runs`)) {
    if (name === runKey) continue;
    const info = await stat(store.localPath!(`${dataset}/runs/${name}`)).catch((err: unknown) => {
      if (missing(err)) return undefined;
      throw err;
    });
    if (info && now - info.mtimeMs < LIVE_STAGING_MS) return true;
  }
  return false;
}
