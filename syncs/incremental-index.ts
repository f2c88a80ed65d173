/**
 * The incremental index: for one job, every key it has landed, with the ETag it landed,
 * sorted in S3's key order and stored as JSON-lines parts next to the dataset.
 *
 * An incremental run lists the whole prefix and merge-joins each page against the index:
 * a key absent from the index is new, a key whose ETag differs has changed. This never misses
 * an object however its LastModified compares (same second, late arrivals with old times),
 * never lands one twice, and holds one page of each side in memory at a time.
 */
import { textLines } from '../datasets/jsonl';
import type { ListedObject } from '../s3/list';
import type { FilterVerdict } from './filters';
import { compareKeys } from './key-order';

/** One landed key. */
export interface IndexEntry {
  key: string;
  etag: string;
  size: number;
  lastModified: string;
  /**
   * Media sets: the object was not imported (rejected or a duplicate; the reason). It stays
   * settled, not fetched again, until its ETag changes.
   */
  skipped?: string;
}

/** An object to copy, and why; a changed one carries the index entry it replaces. */
export interface CopyCandidate extends ListedObject {
  change: 'new' | 'changed';
  previous?: IndexEntry;
}

/** What to do with one listing page. */
export interface PageDecision {
  toCopy: CopyCandidate[];
  /** Old entries that stay in the index as they are (unchanged, filtered now, or deleted since). */
  keep: IndexEntry[];
  /** Objects filtered out, with the reason; silent verdicts (empty folder markers) are not listed. */
  skipped: Array<{ key: string; reason: string }>;
}

/**
 * Merge-joins a listing page (sorted) with the old index entries of the same key range
 * (sorted). With no index (a bulk import), every object passing the filter is new.
 */
export function decidePage(listed: readonly ListedObject[], old: readonly IndexEntry[], filter: (o: ListedObject) => FilterVerdict): PageDecision {
  const decision: PageDecision = { toCopy: [], keep: [], skipped: [] };
  let i = 0;
  for (const object of listed) {
    while (i < old.length && compareKeys(old[i]!.key, object.key) < 0) decision.keep.push(old[i++]!);
    const previous = i < old.length && old[i]!.key === object.key ? old[i++] : undefined;
    const verdict = filter(object);
    if (previous && (verdict || previous.etag === object.etag)) {
      decision.keep.push(previous);
      continue;
    }
    if (verdict) {
      if (!verdict.silent) decision.skipped.push({ key: object.key, reason: verdict.reason });
      continue;
    }
    decision.toCopy.push(previous ? { ...object, change: 'changed', previous } : { ...object, change: 'new' });
  }
  while (i < old.length) decision.keep.push(old[i++]!);
  return decision;
}

/** Merges two sorted entry lists into one sorted list; `b` wins on equal keys. */
export function mergeSorted(a: readonly IndexEntry[], b: readonly IndexEntry[]): IndexEntry[] {
  const out: IndexEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length) out.push(a[i++]!);
    else if (i >= a.length) out.push(b[j++]!);
    else {
      const order = compareKeys(a[i]!.key, b[j]!.key);
      if (order < 0) out.push(a[i++]!);
      else if (order > 0) out.push(b[j++]!);
      else { out.push(b[j++]!); i++; }
    }
  }
  return out;
}

/**
 * Merges kept index lines (JSON-lines text, sorted by key) with `newer` entries (sorted) into
 * the text of an index part; `newer` wins on equal keys. Runs of kept lines between newer keys
 * are copied as text: a page of 20,000 unchanged keys is passed on without building an entry
 * object or a line string for each, and lines are parsed (for their key) only while newer
 * entries remain to place.
 */
export function mergeIndexLines(keepLines: string, newer: readonly IndexEntry[]): string {
  const out: string[] = [];
  let j = 0;
  let copiedTo = 0;
  for (const { line, start, end } of textLines(keepLines)) {
    if (j >= newer.length) break;
    const key = (JSON.parse(line) as IndexEntry).key;
    if (compareKeys(newer[j]!.key, key) > 0) continue;
    out.push(keepLines.slice(copiedTo, start));
    copiedTo = start;
    while (j < newer.length && compareKeys(newer[j]!.key, key) < 0) out.push(`${JSON.stringify(newer[j++])}\n`);
    if (j < newer.length && newer[j]!.key === key) {
      out.push(`${JSON.stringify(newer[j++])}\n`);
      copiedTo = end;
    }
  }
  const rest = keepLines.slice(copiedTo);
  out.push(rest.length && !rest.endsWith('\n') ? `${rest}\n` : rest);
  while (j < newer.length) out.push(`${JSON.stringify(newer[j++])}\n`);
  return out.join('');
}
