/**
 * Following a job run from the CLI: a live progress bar on stderr fed by the run's `progress`
 * query, and the human-readable words for progress and results.
 */
import { Presets, SingleBar } from 'cli-progress';
import type { WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { progressQuery, type JobProgress } from '../shared/temporal-contract';
import type { ExportResult } from '../workflows/export-types';
import type { SyncResult } from '../workflows/sync-types';

/** How often the bar asks the run for its progress. */
const POLL_INTERVAL_MS = 500;

/** `n` bytes in decimal units: 0 B, 12.3 kB, 4.5 MB ... */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Files done and planned, bytes done and planned, of either kind of run. */
function counts(p: JobProgress): { files: number; filesPlanned: number; bytes: number; bytesPlanned: number } {
  return p.kind === 'export'
    ? { files: p.filesExported, filesPlanned: p.filesPlanned, bytes: p.bytesExported, bytesPlanned: p.bytesPlanned }
    : { files: p.filesCopied, filesPlanned: p.objectsPlanned, bytes: p.bytesCopied, bytesPlanned: p.bytesPlanned };
}

/** An activity of the run that Temporal is retrying: what the progress counts cannot show. */
export interface PendingRetry {
  activity: string;
  /** The attempt running or scheduled now (2 = the first retry). */
  attempt: number;
  lastError?: string;
}

/** The run's activities past their first attempt, from Temporal's description of the run. */
export function retriesOf({ raw }: WorkflowExecutionDescription): PendingRetry[] {
  return (raw.pendingActivities ?? []).filter((a) => (a.attempt ?? 1) > 1).map((a) => ({
    activity: a.activityType?.name ?? '?', attempt: a.attempt ?? 0, ...(a.lastFailure?.message ? { lastError: rootOf(a.lastFailure) } : {}),
  }));
}

/** The innermost message of a failure and its causes: where the activity's own words are. */
function rootOf(failure: { message?: string | null; cause?: unknown }): string {
  let current: { message?: string | null; cause?: unknown } | undefined = failure;
  let message = '';
  while (current) {
    if (current.message) message = current.message;
    current = current.cause as typeof current;
  }
  return message;
}

/** One line per retried activity: `syncPlanPage: attempt 3, last error: ...`. */
export function formatRetries(retries: PendingRetry[]): string[] {
  return retries.map((r) => `${r.activity}: attempt ${r.attempt}${r.lastError ? `, last error: ${r.lastError}` : ''}`);
}

/** One line of progress: phase, objects, bytes. */
export function formatProgress(p: JobProgress): string {
  if (p.kind === 'sync' && (p.phase === 'starting' || p.phase === 'listing')) {
    // Nothing is planned yet: "0/0 objects" would read as an empty source.
    return `${p.phase}: the first page is being listed and decided${p.listed ? ` (${p.listed} objects listed)` : ''}`;
  }
  const c = counts(p);
  const done = `${p.phase}: ${c.files}/${c.filesPlanned} objects, ${formatBytes(c.bytes)} / ${formatBytes(c.bytesPlanned)}`;
  const effort = `${p.retries ? `, ${p.retries} object(s) retried` : ''}${p.concurrency && p.concurrency.limit < p.concurrency.max ? `, ${p.concurrency.limit} of ${p.concurrency.max} requests in flight (the store asked for fewer)` : ''}`;
  return p.kind === 'export' ? `${done}, ${p.pages} page(s) planned${effort}` : `${done}, ${p.pages} page(s) listed (${p.listed} objects), ${p.skipped} skipped${effort}`;
}

/** One line about a completed run's result. */
export function formatResult(r: SyncResult | ExportResult): string {
  if ('summary' in r) return r.summary;
  const landed = r.transaction === undefined
    ? 'nothing new: no transaction committed'
    : `transaction ${r.transaction}${r.transactionType ? ` (${r.transactionType})` : ''}`;
  const sizeOnly = r.filesVerifiedBySizeOnly ? ` (${r.filesVerifiedBySizeOnly} verified by size only: their source has no checksum to compare)` : '';
  return `${landed}, ${r.filesAdded} file(s) added${sizeOnly}, ${r.filesSkipped} skipped, ${formatBytes(r.bytes)}`;
}

/** Asks `handle` for its progress, giving up after `timeoutMs` (a closed run needs a worker to replay it). */
export function queryProgress(handle: WorkflowHandle, timeoutMs = 5000): Promise<JobProgress> {
  return handle.client.withDeadline(Date.now() + timeoutMs, () => handle.query(progressQuery));
}

/** A bar being drawn; stop it before printing anything else. */
export interface ProgressBar {
  /** Stops polling, draws the last state and releases the terminal line. */
  stop(): Promise<void>;
}

/**
 * Draws a bar on stderr that polls `handle`'s progress query every ~500 ms (one query in flight
 * at most; a run that does not answer yet — no worker, first task pending — just keeps the bar
 * where it is). Objects copied/planned, bytes, and the byte rate since the bar started.
 */
export function drawProgressBar(handle: WorkflowHandle): ProgressBar {
  const bar = new SingleBar({
    stream: process.stderr, hideCursor: true, emptyOnZero: true, clearOnComplete: false, barsize: 30,
    format: '{phase} |{bar}| {value}/{total} objects | {bytes} | {rate}',
  }, Presets.shades_classic);
  const startedAt = Date.now();
  bar.start(0, 0, { phase: 'starting', bytes: '0 B', rate: '-' });
  let stopped = false;
  let last: JobProgress | undefined;
  let retrying = '';
  let polls = 0;
  const show = (p: JobProgress) => {
    const seconds = (Date.now() - startedAt) / 1000;
    const c = counts(p);
    bar.setTotal(c.filesPlanned);
    bar.update(c.files, {
      phase: `${p.phase}${retrying ? ` (${retrying})` : ''}`.padEnd(10),
      bytes: `${formatBytes(c.bytes)} / ${formatBytes(c.bytesPlanned)}`,
      rate: seconds > 0 ? `${formatBytes(c.bytes / seconds)}/s` : '-',
    });
  };
  const loop = (async () => {
    while (!stopped) {
      try {
        last = await queryProgress(handle);
        // Every ~2 s: an activity Temporal is retrying (a listing that keeps failing) shows in the bar.
        if (polls++ % 4 === 0) {
          const retry = retriesOf(await handle.describe())[0];
          retrying = retry ? `${retry.activity} attempt ${retry.attempt}: ${(retry.lastError ?? '').slice(0, 60)}` : '';
        }
        show(last);
      } catch {
        // Not answerable yet (no worker, or the run's first task has not run): try again.
      }
      if (!stopped) await new Promise((ok) => setTimeout(ok, POLL_INTERVAL_MS));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      try {
        show(await queryProgress(handle));
      } catch {
        if (last) show(last);
      }
      bar.stop();
    },
  };
}
