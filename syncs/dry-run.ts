/**
 * `sync JOB --dry-run`: what a run would copy, decided as a run decides it (the same listing,
 * filters and incremental index: plan-page.ts's steps) but writing nothing anywhere. It stops
 * after `maxListed` objects so a dry run over a huge prefix stays bounded, and says so.
 */
import type { JobDeps } from '../jobs/deps';
import { syncJob } from '../jobs/job';
import { listPage } from '../s3/list';
import { startRun } from './commit-run';
import { objectFilter } from './filters';
import { decidePage } from './incremental-index';
import { IndexReader } from './index-reader';

/** How far a dry run looks. */
export interface SyncDryRunOptions {
  /** The reference time of filters.minAgeSeconds (ms). */
  now: number;
  /** Stop after listing this many objects (default 100,000). */
  maxListed?: number;
  /** How many keys to show of each kind (default 20). */
  sample?: number;
}

/** What a run of the job would do now. */
export interface SyncDryRun {
  job: string;
  mode: 'bulk' | 'incremental' | 'media';
  dataset: string;
  /** The transaction a run would commit. */
  transaction: string;
  listed: number;
  /** Objects a run would copy, and their bytes. */
  toCopy: number;
  bytes: number;
  /** Of those, objects already landed that changed since (incremental). */
  changed: number;
  /** Objects already landed and unchanged (incremental): not copied. */
  unchanged: number;
  skipped: number;
  /** Skipped objects by reason, e.g. "matched by filters.exclude": 12. */
  skippedBy: Record<string, number>;
  firstToCopy: Array<{ key: string; size: number; change: 'new' | 'changed' }>;
  firstSkipped: Array<{ key: string; reason: string }>;
  /** True when the listing stopped at maxListed: the counts are a lower bound. */
  truncated: boolean;
}

/** Decides what a run of sync job `name` would copy, without writing. */
export async function dryRunSync(deps: JobDeps, name: string, options: SyncDryRunOptions): Promise<SyncDryRun> {
  const job = syncJob(deps.config, name);
  const maxListed = options.maxListed ?? 100_000;
  const sample = options.sample ?? 20;
  const client = deps.sources.get(job.source);
  const base = job.incremental ? (await startRun(deps, name)).baseTransaction : undefined;
  const index = await IndexReader.open(deps.store, job.dataset, base);
  const filter = objectFilter(job, options.now);
  const result: SyncDryRun = {
    job: name, mode: job.mode, dataset: job.dataset, transaction: job.transaction, listed: 0, toCopy: 0, bytes: 0, changed: 0,
    unchanged: 0, skipped: 0, skippedBy: {}, firstToCopy: [], firstSkipped: [], truncated: false,
  };
  let token: string | undefined;
  let markers = 0;
  do {
    const listing = await listPage(client, { prefix: job.listPrefix, token, pageSize: job.pageSize });
    token = listing.nextToken;
    const old = await index.takeThrough(token ? listing.objects.at(-1)?.key ?? '' : undefined);
    const decision = decidePage(listing.objects, old, filter);
    result.listed += listing.objects.length;
    markers += listing.objects.filter((o) => o.key.endsWith('/') && o.size === 0).length;
    result.toCopy += decision.toCopy.length;
    for (const o of decision.toCopy) {
      result.bytes += o.size;
      if (o.change === 'changed') result.changed += 1;
      if (result.firstToCopy.length < sample) result.firstToCopy.push({ key: o.key.slice(job.sourcePrefix.length), size: o.size, change: o.change });
    }
    result.skipped += decision.skipped.length;
    for (const s of decision.skipped) {
      result.skippedBy[s.reason] = (result.skippedBy[s.reason] ?? 0) + 1;
      if (result.firstSkipped.length < sample) result.firstSkipped.push({ key: s.key.slice(job.sourcePrefix.length), reason: s.reason });
    }
  } while (token && result.listed < maxListed);
  result.truncated = token !== undefined;
  // Listed objects neither copied nor skipped were landed before and are unchanged; empty folder
  // markers are neither (never data, never reported).
  result.unchanged = result.listed - result.toCopy - result.skipped - markers;
  return result;
}
