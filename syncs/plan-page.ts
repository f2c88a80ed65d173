/**
 * Activity: list one page of the job's prefix, apply the filters, merge-join it against the
 * job's incremental index, and store the resulting plan in the run's staging folder. The
 * workflow gets counts and cursors back, never the keys.
 */
import { Dataset } from '../datasets/dataset';
import { fromJsonLines } from '../datasets/jsonl';
import { listPage } from '../s3/list';
import { objectFilter } from './filters';
import { decidePage, type CopyCandidate, type IndexEntry } from './incremental-index';
import { syncSpec } from './job';
import { compareKeys } from './key-order';
import { runPaths } from './run-paths';
import type { SyncDeps } from './deps';

/** Position in the old index: part number and line within it. */
export interface IndexCursor {
  part: number;
  line: number;
}

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

async function oldEntries(deps: SyncDeps, dataset: string, base: number | undefined, cursor: IndexCursor, lastKey: string | undefined) {
  if (base === undefined) return { entries: [], cursor };
  const record = (await new Dataset(deps.store, dataset).transactions()).find((r) => r.id === base);
  const parts = record?.index?.parts ?? [];
  const entries: IndexEntry[] = [];
  let { part, line } = cursor;
  while (part < parts.length) {
    const text = await deps.store.read(parts[part]!);
    if (!text) throw new Error(`index part ${parts[part]} of transaction ${base} is missing from ${deps.store.location}.`);
    const lines = fromJsonLines<IndexEntry>(text);
    while (line < lines.length) {
      const entry = lines[line]!;
      if (lastKey !== undefined && compareKeys(entry.key, lastKey) > 0) return { entries, cursor: { part, line } };
      entries.push(entry);
      line += 1;
    }
    part += 1;
    line = 0;
  }
  return { entries, cursor: { part, line } };
}

/** Plans one page. Idempotent: a retry rewrites the same plan. */
export async function planPage(deps: SyncDeps, input: PlanPageInput): Promise<PlanSummary> {
  const spec = syncSpec(deps.config, input.job);
  const client = deps.sources.get(spec.source);
  const listing = await listPage(client, { prefix: spec.listPrefix, token: input.token, pageSize: spec.pageSize });
  const last = listing.nextToken ? listing.objects.at(-1)?.key : undefined;
  const incremental = spec.mode !== 'bulk' && spec.transaction !== 'SNAPSHOT';
  const old = incremental
    ? await oldEntries(deps, spec.dataset, input.baseTransaction, input.indexCursor ?? { part: 0, line: 0 }, listing.nextToken ? last ?? '' : undefined)
    : { entries: [], cursor: undefined };
  const decision = decidePage(listing.objects, old.entries, objectFilter(spec, input.startedAt));
  const plan: StoredPlan = { toCopy: decision.toCopy, keep: decision.keep, skipped: decision.skipped };
  await deps.store.write(runPaths(spec.dataset, spec.job, input.runKey).plan(input.page), JSON.stringify(plan));
  return {
    page: input.page, listed: listing.objects.length, toCopy: plan.toCopy.length,
    bytes: plan.toCopy.reduce((n, o) => n + o.size, 0), skipped: plan.skipped.length,
    nextToken: listing.nextToken, indexCursor: old.cursor,
  };
}
