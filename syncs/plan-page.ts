/**
 * Activity: plan the next stretch of the job's prefix. It lists pages, applies the filters,
 * merge-joins them against the job's incremental index, and stores the resulting plan in the
 * run's staging folder. The workflow gets counts and cursors back, never the keys.
 *
 * A plan spans as many listing pages as it takes to find COPY_PAGES_PER_PLAN pages' worth of
 * objects to copy, up to MAX_LISTED_PER_PLAN objects: an incremental run over a large, mostly unchanged
 * prefix then costs a few activities instead of two per thousand keys.
 */
import { listPage } from '../s3/list';
import { objectFilter } from './filters';
import { decidePage, type CopyCandidate, type IndexEntry } from './incremental-index';
import { IndexReader, type IndexCursor } from './index-reader';
import { syncSpec } from './job';
import { runPaths } from './run-paths';
import type { SyncDeps } from './deps';

export type { IndexCursor };

/**
 * Most objects one plan lists (20 ListObjectsV2 pages of 1000). Bounds the plan file, the index
 * part it becomes (~2 MB) and the activity's memory.
 */
export const MAX_LISTED_PER_PLAN = 20_000;

/**
 * A plan holds up to this many pages of objects to copy. Each copy activity ends by draining its
 * connections and waits a Temporal round trip for the next one; with 4 KiB objects, ten
 * 1000-object activities lost about 15% of the wall time to that.
 */
export const COPY_PAGES_PER_PLAN = 5;

/** Input of planPage. */
export interface PlanPageInput {
  job: string;
  runKey: string;
  page: number;
  token?: string;
  /** Transaction whose record holds the job's index (incremental runs after the first). */
  baseTransaction?: number;
  indexCursor?: IndexCursor;
  /** The run's reference time for minAgeSeconds, fixed at its start so retries agree. */
  startedAt: number;
}

/** Counts and cursors of a stored plan. */
export interface PlanSummary {
  page: number;
  listed: number;
  toCopy: number;
  bytes: number;
  skipped: number;
  nextToken?: string;
  indexCursor?: IndexCursor;
}

/** The plan file's content. */
export interface StoredPlan {
  toCopy: CopyCandidate[];
  keep: IndexEntry[];
  skipped: Array<{ key: string; reason: string }>;
}

/** Plans the next stretch of pages. Idempotent: a retry rewrites the plan from the same token and cursor. */
export async function planPage(deps: SyncDeps, input: PlanPageInput): Promise<PlanSummary> {
  const spec = syncSpec(deps.config, input.job);
  const client = deps.sources.get(spec.source);
  const incremental = spec.mode !== 'bulk' && spec.transaction !== 'SNAPSHOT';
  const index = await IndexReader.open(deps.store, spec.dataset, incremental ? input.baseTransaction : undefined, input.indexCursor);
  const filter = objectFilter(spec, input.startedAt);
  const plan: StoredPlan = { toCopy: [], keep: [], skipped: [] };
  let listed = 0;
  let token = input.token;
  do {
    const listing = await listPage(client, { prefix: spec.listPrefix, token, pageSize: spec.pageSize });
    token = listing.nextToken;
    // The last page takes the rest of the index: keys deleted from the bucket stay in it.
    const old = await index.takeThrough(token ? listing.objects.at(-1)?.key ?? '' : undefined);
    const decision = decidePage(listing.objects, old, filter);
    plan.toCopy.push(...decision.toCopy);
    plan.keep.push(...decision.keep);
    plan.skipped.push(...decision.skipped);
    listed += listing.objects.length;
  } while (token && plan.toCopy.length < spec.pageSize * COPY_PAGES_PER_PLAN && listed + spec.pageSize <= MAX_LISTED_PER_PLAN);
  await deps.store.write(runPaths(spec.dataset, spec.job, input.runKey).plan(input.page), JSON.stringify(plan));
  return {
    page: input.page, listed, toCopy: plan.toCopy.length,
    bytes: plan.toCopy.reduce((n, o) => n + o.size, 0), skipped: plan.skipped.length,
    nextToken: token, indexCursor: incremental ? index.cursor : undefined,
  };
}
