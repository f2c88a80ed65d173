/**
 * Reads a job's incremental index (JSON-lines parts, sorted by key) forward, a key range at a
 * time, keeping only the part being read in memory.
 */
import { Dataset } from '../datasets/dataset';
import { fromJsonLines } from '../datasets/jsonl';
import type { StoreBackend } from '../datasets/backend';
import type { IndexEntry } from './incremental-index';
import { compareKeys } from './key-order';

/** Position in an index: part number and line within it. */
export interface IndexCursor {
  part: number;
  line: number;
}

/** A forward reader over the index that transaction `base` of `dataset` recorded. */
export class IndexReader {
  private lines: IndexEntry[] | undefined;

  private constructor(private readonly store: StoreBackend, private readonly parts: string[], private readonly base: number | undefined,
    private position: IndexCursor) {}

  /** Opens the index of transaction `base` (none: an empty index) at `cursor`. */
  static async open(store: StoreBackend, dataset: string, base: number | undefined, cursor: IndexCursor = { part: 0, line: 0 }): Promise<IndexReader> {
    if (base === undefined) return new IndexReader(store, [], base, cursor);
    const record = (await new Dataset(store, dataset).transactions()).find((r) => r.id === base);
    return new IndexReader(store, record?.index?.parts ?? [], base, cursor);
  }

  /** Where the next read starts. */
  get cursor(): IndexCursor {
    return { ...this.position };
  }

  /** Every entry up to and including `lastKey` (all remaining ones when undefined), in key order. */
  async takeThrough(lastKey: string | undefined): Promise<IndexEntry[]> {
    const entries: IndexEntry[] = [];
    while (this.position.part < this.parts.length) {
      const lines = await this.partLines();
      while (this.position.line < lines.length) {
        const entry = lines[this.position.line]!;
        if (lastKey !== undefined && compareKeys(entry.key, lastKey) > 0) return entries;
        entries.push(entry);
        this.position.line += 1;
      }
      this.position = { part: this.position.part + 1, line: 0 };
      this.lines = undefined;
    }
    return entries;
  }

  private async partLines(): Promise<IndexEntry[]> {
    if (this.lines) return this.lines;
    const path = this.parts[this.position.part]!;
    const text = await this.store.read(path);
    if (!text) throw new Error(`index part ${path} of transaction ${this.base} is missing from ${this.store.location}.`);
    this.lines = fromJsonLines<IndexEntry>(text);
    return this.lines;
  }
}
