/**
 * Finds target keys claimed by more than one dataset path, over any number of keys in bounded
 * memory: a sorted walk. The keys come as sorted runs (plan pages sorted by key, 1000 keys
 * each); runs are merged MERGE_FAN_IN at a time into longer runs stored as chunks of CHUNK_KEYS
 * keys in the run's staging folder, until one last merge walks every key in order, where equal
 * keys are neighbours. Memory holds one chunk of each run being merged (32,000 keys at most),
 * whatever the number of keys; each merge level reads and writes the keys once more.
 */
import type { StoreBackend } from '../datasets/backend';

/** A target key, the dataset path it comes from, and whether the run exports it (1) or only checks it (0). */
export type KeyItem = [key: string, path: string, planned: 0 | 1];

/** A sorted run of keys, read a chunk at a time. */
export interface KeyRun {
  chunks: number;
  load(chunk: number): Promise<KeyItem[]>;
}

/** Keys of one chunk of a merged run. */
export const CHUNK_KEYS = 1000;

/** Runs merged at once. */
export const MERGE_FAN_IN = 32;

/** Paths sharing one target key: the first three walked, and how many there are. */
export interface KeyCollision {
  key: string;
  paths: string[];
  count: number;
}

/** What the walk found: the first `limit` collisions, and how many keys collide in all. */
export interface CollisionReport {
  collisions: KeyCollision[];
  keys: number;
}

/** Orders keys by UTF-16 code units: any total order brings equal keys together, and this one is the cheapest. */
export const compareKeyItems = (a: KeyItem, b: KeyItem): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** A position in a run: its current chunk and item. */
class Cursor {
  private items: KeyItem[] = [];
  private index = 0;
  private chunk = 0;

  constructor(private readonly run: KeyRun) {}

  /** Loads the first item; false when the run is empty. */
  async start(): Promise<boolean> {
    this.index = -1;
    return this.refill();
  }

  get item(): KeyItem {
    return this.items[this.index]!;
  }

  /** Moves to the next item: synchronous within a chunk (one await per chunk, not per key). */
  advance(): boolean | Promise<boolean> {
    if (this.index + 1 < this.items.length) {
      this.index += 1;
      return true;
    }
    return this.refill();
  }

  private async refill(): Promise<boolean> {
    this.index += 1;
    while (this.index >= this.items.length) {
      if (this.chunk >= this.run.chunks) return false;
      this.items = await this.run.load(this.chunk++);
      this.index = 0;
    }
    return true;
  }
}

/** A binary min-heap of cursors by their current key. */
class CursorHeap {
  private readonly cursors: Cursor[] = [];

  get size(): number {
    return this.cursors.length;
  }

  get top(): Cursor {
    return this.cursors[0]!;
  }

  push(cursor: Cursor): void {
    const c = this.cursors;
    c.push(cursor);
    for (let i = c.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (compareKeyItems(c[parent]!.item, c[i]!.item) <= 0) break;
      [c[parent], c[i]] = [c[i]!, c[parent]!];
      i = parent;
    }
  }

  /** Restores the order after the top cursor moved on. */
  siftTop(): void {
    const c = this.cursors;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < c.length && compareKeyItems(c[left]!.item, c[least]!.item) < 0) least = left;
      if (right < c.length && compareKeyItems(c[right]!.item, c[least]!.item) < 0) least = right;
      if (least === i) return;
      [c[least], c[i]] = [c[i]!, c[least]!];
      i = least;
    }
  }

  /** Removes the top cursor (its run ended). */
  popTop(): void {
    const last = this.cursors.pop()!;
    if (this.cursors.length === 0) return;
    this.cursors[0] = last;
    this.siftTop();
  }
}

/** The items of `runs` in key order, in batches of up to CHUNK_KEYS. */
async function* merged(runs: readonly KeyRun[]): AsyncGenerator<KeyItem[]> {
  const heap = new CursorHeap();
  for (const run of runs) {
    const cursor = new Cursor(run);
    if (await cursor.start()) heap.push(cursor);
  }
  let batch: KeyItem[] = [];
  while (heap.size > 0) {
    const cursor = heap.top;
    batch.push(cursor.item);
    let more = cursor.advance();
    if (typeof more !== 'boolean') more = await more;
    if (more) heap.siftTop();
    else heap.popTop();
    if (batch.length >= CHUNK_KEYS) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** A run stored as chunk files `<base>-<n>.json`. */
function storedRun(store: StoreBackend, base: string, chunks: number): KeyRun {
  return {
    chunks,
    async load(chunk) {
      const text = await store.read(`${base}-${String(chunk).padStart(6, '0')}.json`);
      if (!text) throw new Error(`chunk ${chunk} of ${base} is missing from ${store.location}`);
      return JSON.parse(text.toString('utf8')) as KeyItem[];
    },
  };
}

/**
 * Walks the keys of `runs` in order and reports keys claimed by two or more paths, at least one
 * of them planned (keys that only checked paths share were written by earlier runs: reported by
 * those). Intermediate runs are written below `workDir`, which the caller removes.
 */
export async function findKeyCollisions(store: StoreBackend, workDir: string, runs: readonly KeyRun[], limit = 5): Promise<CollisionReport> {
  let level = runs;
  for (let depth = 0; level.length > MERGE_FAN_IN; depth++) {
    const next: KeyRun[] = [];
    for (let i = 0; i < level.length; i += MERGE_FAN_IN) {
      const base = `${workDir}/merge-${depth}-${next.length}`;
      let chunks = 0;
      for await (const batch of merged(level.slice(i, i + MERGE_FAN_IN))) {
        await store.write(`${base}-${String(chunks++).padStart(6, '0')}.json`, JSON.stringify(batch));
      }
      next.push(storedRun(store, base, chunks));
    }
    level = next;
  }
  const report: CollisionReport = { collisions: [], keys: 0 };
  // The key being walked: its first paths (a few name it), how many share it, whether one is planned.
  let group = { key: '', paths: [] as string[], count: 0, planned: false };
  const settle = () => {
    if (group.count < 2 || !group.planned) return;
    report.keys += 1;
    if (report.collisions.length < limit) report.collisions.push({ key: group.key, paths: group.paths, count: group.count });
  };
  for await (const batch of merged(level)) {
    for (const [key, path, planned] of batch) {
      if (group.count === 0 || group.key !== key) {
        settle();
        group = { key, paths: [], count: 0, planned: false };
      }
      if (group.paths.length < 3) group.paths.push(path);
      group.count += 1;
      group.planned ||= planned === 1;
    }
  }
  settle();
  return report;
}
