/**
 * Activity: plan the next stretch of the job's prefix. It lists pages, applies the filters,
 * merge-joins them against the job's incremental index, and stores the resulting plan in the
 * run's staging folder. The workflow gets counts and cursors back, never the keys.
 *
 * A plan spans as many listing pages as it takes to find COPY_PAGES_PER_PLAN pages' worth of
 * objects to copy, up to MAX_LISTED_PER_PLAN objects: an incremental run over a large, mostly unchanged
 * prefix then costs a few activities instead of two per thousand keys.
 */
import { textLines, toJsonLines } from '../datasets/jsonl';
import { listPage } from '../s3/list';
import { objectFilter, withInstructionFiles } from './filters';
import { decidePage, type CopyCandidate, type IndexEntry } from './incremental-index';
import { IndexReader, type IndexCursor } from './index-reader';
import { runPaths } from './run-paths';
import type { JobDeps } from '../jobs/deps';
import { syncJob } from '../jobs/job';

export type { IndexCursor };

/**
 * Most objects one plan lists (20 ListObjectsV2 pages of 1000). Bounds the plan file, the index
 * part it becomes (~2 MB) and the activity's memory.
 */
export const MAX_LISTED_PER_PLAN = 20_000;

/**
 * A plan holds up to this many pages of objects to copy. Each copy activity ends by draining its
 * connections and waits a Temporal round trip for the next one: with small objects, fewer and
 * larger copy activities keep the connections busy.
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

/** The plan's objects to copy and skipped keys, parsed; its kept index entries stay text (see readPlan). */
export interface StoredPlan {
  toCopy: CopyCandidate[];
  skipped: Array<{ key: string; reason: string }>;
  /** The old index entries the page keeps, as index lines (JSON lines, sorted by key). */
  keepLines: string;
}

/** The first line of a plan file: how many lines of each kind follow, in this order. */
interface PlanHeader {
  plan: 2;
  toCopy: number;
  skipped: number;
  keep: number;
}

/**
 * A plan file, built a listing page at a time. JSON lines: a header, then the objects to copy,
 * the skipped keys and the kept index entries, one a line. Each listing page's records are
 * serialised as soon as it is decided, so a 20,000-key plan holds ~2 MB of text instead of its
 * entry objects plus one JSON.stringify of all of them; and copyPage can pass the kept lines on
 * to the index part without parsing them into objects again.
 */
export class PlanWriter {
  private readonly toCopy: string[] = [];
  private readonly skipped: string[] = [];
  private readonly keep: string[] = [];
  private readonly counts = { toCopy: 0, skipped: 0, keep: 0 };
  /** Bytes of the objects to copy. */
  bytes = 0;

  /** Adds one listing page's decision. */
  add(decision: { toCopy: readonly CopyCandidate[]; keep: readonly IndexEntry[]; skipped: ReadonlyArray<{ key: string; reason: string }> }): void {
    if (decision.toCopy.length) this.toCopy.push(toJsonLines(decision.toCopy));
    if (decision.skipped.length) this.skipped.push(toJsonLines(decision.skipped));
    if (decision.keep.length) this.keep.push(toJsonLines(decision.keep));
    this.counts.toCopy += decision.toCopy.length;
    this.counts.skipped += decision.skipped.length;
    this.counts.keep += decision.keep.length;
    this.bytes += decision.toCopy.reduce((n, o) => n + o.size, 0);
  }

  /** Objects to copy so far. */
  get copyCount(): number {
    return this.counts.toCopy;
  }

  /** Skipped keys so far. */
  get skippedCount(): number {
    return this.counts.skipped;
  }

  /** The file's text. */
  text(): string {
    const header: PlanHeader = { plan: 2, ...this.counts };
    return [`${JSON.stringify(header)}\n`, ...this.toCopy, ...this.skipped, ...this.keep].join('');
  }
}

/** Parses a plan file. The kept entries are returned as text, for copyPage to merge into the index part. */
export function readPlan(text: string): StoredPlan {
  const lines = textLines(text);
  const first = lines.next();
  if (first.done) throw new Error('the plan file is empty');
  const head = JSON.parse(first.value.line) as PlanHeader;
  if (head.plan !== 2) throw new Error(`the plan file's header ${first.value.line} is not a version 2 plan; a run started by an older version cannot resume. Fix: start the job again.`);
  const take = <T>(count: number): T[] => {
    const out: T[] = [];
    for (let i = 0; i < count; i++) {
      const line = lines.next();
      if (line.done) throw new Error(`the plan file ends early: its header announces ${JSON.stringify(head)}`);
      out.push(JSON.parse(line.value.line) as T);
    }
    return out;
  };
  const toCopy = take<CopyCandidate>(head.toCopy);
  const skipped = take<{ key: string; reason: string }>(head.skipped);
  const rest = lines.next();
  return { toCopy, skipped, keepLines: rest.done ? '' : text.slice(rest.value.start) };
}

/** Plans the next stretch of pages. Idempotent: a retry rewrites the plan from the same token and cursor. */
export async function planPage(deps: JobDeps, input: PlanPageInput): Promise<PlanSummary> {
  const job = syncJob(deps.config, input.job);
  const client = deps.sources.get(job.source);
  const index = await IndexReader.open(deps.store, job.dataset, job.incremental ? input.baseTransaction : undefined, input.indexCursor);
  const filter = withInstructionFiles(objectFilter(job, input.startedAt), client.kms !== undefined);
  const plan = new PlanWriter();
  let listed = 0;
  let token = input.token;
  do {
    const listing = await listPage(client, { prefix: job.listPrefix, token, pageSize: job.pageSize });
    token = listing.nextToken;
    // The last page takes the rest of the index: keys deleted from the bucket stay in it.
    const old = await index.takeThrough(token ? listing.objects.at(-1)?.key ?? '' : undefined);
    plan.add(decidePage(listing.objects, old, filter));
    listed += listing.objects.length;
  } while (token && plan.copyCount < job.pageSize * COPY_PAGES_PER_PLAN && listed + job.pageSize <= MAX_LISTED_PER_PLAN);
  await deps.store.write(runPaths(job.dataset, job.name, input.runKey).plan(input.page), plan.text());
  return {
    page: input.page, listed, toCopy: plan.copyCount, bytes: plan.bytes, skipped: plan.skippedCount,
    nextToken: token, indexCursor: job.incremental ? index.cursor : undefined,
  };
}
