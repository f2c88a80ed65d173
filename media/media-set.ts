/**
 * The media-set step of a sync copy (mode: media): after an object's bytes are copied into the
 * store they are inspected (type from the bytes, soundness, metadata), then deduplicated. What
 * is not imported is reported as skipped with its reason, and recorded in the job's index so
 * that it is not fetched again until its ETag changes.
 */
import type { StoreBackend } from '../datasets/backend';
import type { FileEntry } from '../datasets/types';
import { itemIdentity } from './identity';
import { inspectFile } from './inspect';
import { withLocalBlob } from './local-blob';

/** Skip reasons that the job's index records (the object is settled until it changes). */
export const SETTLED_REASON = /^(rejected: |duplicate of )/;

/** What a media set keeps of an item. */
export interface MediaItem {
  mediaType: string;
  metadata: Record<string, unknown>;
}

/** An item, or why the object is not one. */
export type MediaVerdict = { item: MediaItem } | { skip: string };

/**
 * Builds the media step of one copy activity: `inspect` (concurrent) then `identify` (called in
 * key order, one at a time, so that of two keys with the same bytes the first in listing order
 * is the item, whatever order their copies finished in).
 */
export function mediaSetStep(store: StoreBackend, dataset: string, runKey: string, allowed: readonly string[], snapshot: boolean) {
  const identity = itemIdentity(store, dataset, runKey, snapshot);
  // Content-addressed blobs (local stores) may be shared with the item a duplicate repeats: kept.
  // A per-copy blob (S3 stores) of a skipped object is referenced by nothing: removed.
  const drop = async (entry: Omit<FileEntry, 'path'>) => {
    if (!entry.blob.endsWith(entry.sha256)) await store.remove(entry.blob);
  };
  return {
    async inspect(entry: Omit<FileEntry, 'path'>): Promise<MediaVerdict> {
      const inspection = await withLocalBlob(store, entry.blob, (file) => inspectFile(file, allowed));
      if (inspection.ok) return { item: { mediaType: inspection.mediaType, metadata: inspection.metadata } };
      await drop(entry);
      return { skip: `rejected: ${inspection.reason}` };
    },
    async identify(entry: Omit<FileEntry, 'path'>, path: string, item: MediaItem): Promise<MediaVerdict> {
      const id = await identity(entry.sha256, entry.source.key, path);
      if (!id.duplicate) return { item };
      await drop(entry);
      return { skip: `duplicate of ${id.of} (item ${entry.sha256})` };
    },
  };
}
