import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dataset } from '../../datasets/dataset';
import { fromJsonLines, toJsonLines } from '../../datasets/jsonl';
import { localBackend } from '../../datasets/local-backend';
import { mergeIndexLines, mergeSorted, type CopyCandidate, type IndexEntry } from '../../syncs/incremental-index';
import { IndexReader } from '../../syncs/index-reader';
import { compareKeys } from '../../syncs/key-order';
import { PlanWriter, readPlan } from '../../syncs/plan-page';

const entry = (key: string, etag = 'e'): IndexEntry => ({ key, etag, size: key.length, lastModified: '2026-01-01T00:00:00.000Z' });
const candidate = (key: string): CopyCandidate => ({ ...entry(key), change: 'new' });
const keyAt = (i: number) => `k/${String(i).padStart(5, '0')}`;

describe('plan files', () => {
  it('round-trip a plan written a listing page at a time: every object to copy, skip and kept entry, in order', () => {
    const writer = new PlanWriter();
    writer.add({ toCopy: [candidate('k/a'), candidate('k/b\n"quoted"')], keep: [entry('k/0'), entry('k/1')], skipped: [{ key: 'k/x', reason: 'too old' }] });
    writer.add({ toCopy: [], keep: [entry('k/2', 'é')], skipped: [] });
    writer.add({ toCopy: [{ ...candidate('k/c'), change: 'changed', previous: entry('k/c', 'old') }], keep: [], skipped: [] });
    const plan = readPlan(writer.text());
    expect(plan.toCopy.map((c) => c.key)).toEqual(['k/a', 'k/b\n"quoted"', 'k/c']);
    expect(plan.toCopy[2]).toEqual({ ...candidate('k/c'), change: 'changed', previous: entry('k/c', 'old') });
    expect(plan.skipped).toEqual([{ key: 'k/x', reason: 'too old' }]);
    expect(fromJsonLines(plan.keepLines)).toEqual([entry('k/0'), entry('k/1'), entry('k/2', 'é')]);
    expect([writer.copyCount, writer.skippedCount, writer.bytes]).toEqual([3, 1, 3 + 12 + 3]);
  });

  it('reads a plan with nothing to keep', () => {
    const writer = new PlanWriter();
    writer.add({ toCopy: [candidate('k/a')], keep: [], skipped: [] });
    expect(readPlan(writer.text())).toEqual({ toCopy: [candidate('k/a')], skipped: [], keepLines: '' });
  });

  it('refuses a file without a version 2 header, telling to start the job again', () => {
    const unversioned = JSON.stringify({ toCopy: [candidate('k/b')], keep: [entry('k/a')], skipped: [] });
    expect(() => readPlan(unversioned)).toThrow(/not a version 2 plan.*start the job again/);
  });

  it('refuses a truncated plan instead of copying part of it', () => {
    const writer = new PlanWriter();
    writer.add({ toCopy: [candidate('k/a'), candidate('k/b')], keep: [], skipped: [] });
    const text = writer.text();
    expect(() => readPlan(text.slice(0, text.lastIndexOf('{')))).toThrow(/ends early/);
  });
});

describe('index parts from kept lines', () => {
  it('merges kept lines with landed entries exactly as merging the parsed lists would, the landed entry winning', () => {
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let round = 0; round < 200; round++) {
      const keep: IndexEntry[] = [];
      const newer: IndexEntry[] = [];
      for (let i = 0; i < 40; i++) {
        const r = random();
        if (r < 0.5) keep.push(entry(keyAt(i)));
        else if (r < 0.7) newer.push(entry(keyAt(i), 'new'));
        else if (r < 0.8) { keep.push(entry(keyAt(i), 'old')); newer.push(entry(keyAt(i), 'changed')); }
      }
      expect(fromJsonLines(mergeIndexLines(toJsonLines(keep), newer))).toEqual(mergeSorted(keep, newer));
    }
  });

  it('passes the kept text on unchanged when nothing landed, and ends every line with a newline', () => {
    const keep = toJsonLines([entry('a'), entry('b')]);
    expect(mergeIndexLines(keep, [])).toBe(keep);
    expect(mergeIndexLines(keep.trimEnd(), [entry('c')])).toBe(toJsonLines([entry('a'), entry('b'), entry('c')]));
    expect(mergeIndexLines('', [entry('c')])).toBe(toJsonLines([entry('c')]));
  });
});

describe('index reader', () => {
  it('takes every entry of a multi-part index by key range, and resumes from its cursor mid-part', async () => {
    const root = mkdtempSync(join(tmpdir(), 'index-'));
    const store = localBackend(root);
    const all = Array.from({ length: 25 }, (_, i) => entry(keyAt(i)));
    const parts = ['d/index/p1.jsonl', 'd/index/p2.jsonl', 'd/index/p3.jsonl'];
    await store.write(parts[0]!, toJsonLines(all.slice(0, 10)));
    await store.write(parts[1]!, `\n${toJsonLines(all.slice(10, 12))}\n`); // blank lines are not lines
    await store.write(parts[2]!, toJsonLines(all.slice(12)));
    const { id } = await new Dataset(store, 'd').commit({ type: 'UPDATE', runKey: 'r', job: 'j', manifests: [], fileCount: 0, bytes: 0, index: { job: 'j', parts } });
    const reader = await IndexReader.open(store, 'd', id);
    const first = await reader.takeThrough(keyAt(4));
    expect(first.map((e) => e.key)).toEqual(all.slice(0, 5).map((e) => e.key));
    expect(reader.cursor).toEqual({ part: 0, line: 5 });
    const second = await reader.takeThrough(`${keyAt(10)}~`);
    expect(second.map((e) => e.key)).toEqual(all.slice(5, 11).map((e) => e.key));
    // A retried plan opens a new reader at the cursor its predecessor returned.
    const resumed = await IndexReader.open(store, 'd', id, reader.cursor);
    expect((await resumed.takeThrough(undefined)).map((e) => e.key)).toEqual(all.slice(11).map((e) => e.key));
    expect(resumed.cursor).toEqual({ part: 3, line: 0 });
    expect([...first, ...second].every((e, i, a) => i === 0 || compareKeys(a[i - 1]!.key, e.key) < 0)).toBe(true);
    rmSync(root, { recursive: true, force: true });
  });
});
