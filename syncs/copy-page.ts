/**
 * Activity: copy the objects of one planned page with bounded concurrency (the source's
 * maxConnections, lowered while the store throttles), each retried alone when it fails for a
 * transient reason, heartbeating progress. Finished entries are saved to a progress file so a
 * retried attempt (after a crash or kill -9 of the worker) resumes instead of starting over.
 * Ends by writing the page's manifest part and, for incremental jobs, its index part.
 */
import { toJsonLines } from '../datasets/jsonl';
import type { FileEntry } from '../datasets/types';
import { mediaSetStep, type MediaItem } from '../media/media-set';
import { S3OperationError } from '../s3/errors';
import { mergeIndexLines, mergeSorted, type CopyCandidate, type IndexEntry } from './incremental-index';
import { compareKeys } from './key-order';
import { isObjectRefusal } from '../crypto/decrypt-object';
import { copyObject } from './object-copy';
import { readPlan } from './plan-page';
import { runPaths } from './run-paths';
import type { JobDeps } from '../jobs/deps';
import { syncJob } from '../jobs/job';
import { runPage, type PageEffort } from '../jobs/page-activity';
import type { RetryBudget } from '../s3/retry';

/** Input of copyPage. */
export interface CopyPageInput {
  job: string;
  runKey: string;
  page: number;
}

/** What a page added, and how hard it had to try. */
export interface CopyPageResult extends PageEffort {
  page: number;
  files: number;
  bytes: number;
  skipped: number;
  /**
   * Files of the page verified by their size only: the source gave no checksum or ETag their
   * bytes could be compared with (e.g. an SSE-KMS object without a checksum). Absent from older
   * workers' results.
   */
  verifiedBySizeOnly?: number;
}

/** The dataset path of a copied object; appended changes get a version suffix (see README). */
function datasetPath(key: string, sourcePrefix: string, candidate: CopyCandidate, transaction: string): string {
  const path = key.slice(sourcePrefix.length);
  // An object whose previous version was never imported (a rejected media object) keeps its path.
  if (candidate.change === 'changed' && transaction === 'APPEND' && !candidate.previous?.skipped) {
    return `${path}@${candidate.lastModified.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
  }
  return path;
}

/** Copies one page. */
export async function copyPage(deps: JobDeps, input: CopyPageInput): Promise<CopyPageResult> {
  const job = syncJob(deps.config, input.job);
  const client = deps.sources.get(job.source);
  const paths = runPaths(job.dataset, job.name, input.runKey);
  const planText = await deps.store.read(paths.plan(input.page));
  if (!planText) throw new Error(`plan ${paths.plan(input.page)} is missing; the run's staging folder was removed. Fix: start the job again.`);
  const plan = readPlan(planText.toString('utf8'));
  const concurrency = deps.concurrency.get(`sync/${job.name}`, client.config.maxConnections);
  const progress = {
    store: deps.store, progressPath: paths.progress(input.page), page: input.page, keyOf: (e: FileEntry) => e.source.key,
    concurrency, retries: client.config.maxErrorRetries,
  };
  const { entries, skipped, settled, retained, retries } = await runPage(progress, async (run) => {
    const { done, addBytes, beat, save } = run;
    const skipped = [...plan.skipped];
    const retained: IndexEntry[] = [];
    // Media sets (mode: media): copied bytes are inspected and deduplicated before they become an entry.
    const media = job.mode === 'media'
      ? mediaSetStep(deps.store, job.dataset, input.runKey, job.mediaTypes ?? [], job.transaction === 'SNAPSHOT')
      : undefined;
    const settled: IndexEntry[] = [];
    const settle = (object: CopyCandidate, reason: string) => {
      skipped.push({ key: object.key, reason });
      settled.push({ key: object.key, etag: object.etag, size: object.size, lastModified: object.lastModified, skipped: reason });
    };
    const inspected: Array<{ object: CopyCandidate; path: string; entry: Omit<FileEntry, 'path'>; item: MediaItem }> = [];
    const copyOne = async (object: CopyCandidate, signal: AbortSignal, budget: RetryBudget) => {
      try {
        const entry = await copyObject(client, deps.store, paths.blobs, object, addBytes, signal, budget);
        const path = datasetPath(object.key, job.sourcePrefix, object, job.transaction);
        const verdict = media ? await media.inspect(entry) : undefined;
        if (!verdict) done.set(object.key, { path, ...entry });
        else if ('skip' in verdict) settle(object, verdict.skip);
        else inspected.push({ object, path, entry, item: verdict.item });
      } catch (err) {
        if (isObjectRefusal(err)) {
          // An encrypted object that cannot be decrypted: reported, nothing of it landed; tried
          // again next run (a corrected clientKms.keyId may read it).
          skipped.push({ key: object.key, reason: err.message });
          if (object.previous) retained.push(object.previous);
          beat();
          await save(false);
          return;
        }
        if (!(err instanceof S3OperationError && err.kind === 'gone')) throw err;
        // Deleted or overwritten between the listing and the read: recorded, picked up next run;
        // a changed object keeps its old index entry, since its old version is still landed.
        skipped.push({ key: object.key, reason: 'deleted or changed after it was listed' });
        if (object.previous) retained.push(object.previous);
      }
      beat();
      await save(false);
    };
    await run.each(plan.toCopy.filter((o) => !done.has(o.key)), copyOne);
    // Deduplication in key order: of two keys with the same bytes, the first listed is the item.
    for (const c of inspected.sort((a, b) => compareKeys(a.object.key, b.object.key))) {
      const verdict = await media!.identify(c.entry, c.path, c.item);
      if ('skip' in verdict) settle(c.object, verdict.skip);
      else done.set(c.object.key, { path: c.path, ...c.entry, ...verdict.item });
    }
    return { entries: [...done.values()].sort((a, b) => compareKeys(a.path, b.path)), skipped, settled, retained, retries: run.retries };
  });
  await deps.store.write(paths.manifest(input.page), toJsonLines(entries));
  await deps.store.write(paths.skipped(input.page), toJsonLines(skipped));
  if (job.incremental) {
    const landed: IndexEntry[] = entries.map((e) => ({ key: e.source.key, etag: e.source.etag, size: e.source.size, lastModified: e.source.lastModified }))
      .concat(settled).sort((a, b) => compareKeys(a.key, b.key));
    // Landed and retained keys are distinct (a retained entry's object was not landed).
    const newer = mergeSorted(retained.sort((a, b) => compareKeys(a.key, b.key)), landed);
    await deps.store.write(paths.index(input.page), mergeIndexLines(plan.keepLines, newer));
  }
  return {
    page: input.page, files: entries.length, bytes: entries.reduce((n, e) => n + e.size, 0), skipped: skipped.length,
    verifiedBySizeOnly: entries.filter((e) => e.verifiedBy === 'size-only').length, retries, concurrency: concurrency.state,
  };
}
