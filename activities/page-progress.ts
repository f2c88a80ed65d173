/**
 * What long page activities (sync copies, export uploads) share: the activity context when
 * inside Temporal, and a progress file saved at most every few seconds so a retried attempt
 * redoes at most that much work.
 */
import { Context } from '@temporalio/activity';
import { toJsonLines } from '../datasets/jsonl';
import type { StoreBackend } from '../datasets/backend';

/** Save progress at most this often: a resumed attempt redoes at most this much work. */
export const PROGRESS_INTERVAL_MS = 2000;

/** The activity context when running inside Temporal; undefined in direct calls. */
export function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/**
 * Returns save(force): writes `lines()` as JSON lines to `path`, at most every
 * PROGRESS_INTERVAL_MS unless forced; writes never overlap.
 */
export function progressSaver(store: StoreBackend, path: string, lines: () => readonly unknown[]): (force: boolean) => Promise<void> {
  let lastSave = Date.now();
  let saving: Promise<void> | undefined;
  return async (force) => {
    if (!force && Date.now() - lastSave < PROGRESS_INTERVAL_MS) return;
    lastSave = Date.now();
    await saving;
    saving = store.write(path, toJsonLines(lines()));
    await saving;
  };
}

/** Calls `fn` at most once per `intervalMs`: keeps per-chunk callers off the heartbeat path. */
export function throttled(fn: () => void, intervalMs = 500): () => void {
  let last = 0;
  return () => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    fn();
  };
}
