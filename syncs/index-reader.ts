/**
 * Reads a job's incremental index (JSON-lines parts, sorted by key) forward, a key range at a
 * time. Only the text of the part being read is held; its lines are parsed as they are taken,
 * so a 20,000-key part costs its ~2 MB of text rather than 20,000 entry objects as well.
 */
import { Dataset } from '../datasets/dataset';
import { textLines, type TextLine } from '../datasets/jsonl';
import type { StoreBackend } from '../datasets/backend';
import type { IndexEntry } from './incremental-index';
import { compareKeys } from './key-order';

/** Position in an index: part number and line (non-blank lines, from 0) within it. */
export interface IndexCursor {
  part: number;
  line: number;
}

/** A forward reader over the index that transaction `base` of `dataset` recorded. */
export class IndexReader {
  /** The current part's remaining lines, and the next one parsed (taken or not). */
  private lines: Generator<TextLine> | undefined;
  private next: IndexEntry | undefined;

  private constructor(private readonly store: StoreBackend, private readonly parts: string[], private readonly base: number | undefined,
    private position: IndexCursor) {}

  /** Opens the index of transaction `base` (none: an empty index) at `cursor`. */
  static async open(store: StoreBackend, dataset: string, base: number | undefined, cursor: IndexCursor = { part: 0, line: 0 }): Promise<IndexReader> {
    if (base === undefined) return new IndexReader(store, [], base, { ...cursor });
    const record = (await new Dataset(store, dataset).transactions()).find((r) => r.id === base);
    return new IndexReader(store, record?.index?.parts ?? [], base, { ...cursor });
  }

  /** Where the next read starts. */
  get cursor(): IndexCursor {
    return { ...this.position };
  }

  /** Every entry up to and including `lastKey` (all remaining ones when undefined), in key order. */
  async takeThrough(lastKey: string | undefined): Promise<IndexEntry[]> {
    const entries: IndexEntry[] = [];
    while (this.position.part < this.parts.length) {
      // One await per part, not per entry: 100,000 awaited entries were 100,000 promise ticks.
      const lines = this.lines ?? await this.openPart();
      for (let entry = this.peek(lines); entry; entry = this.peek(lines)) {
        if (lastKey !== undefined && compareKeys(entry.key, lastKey) > 0) return entries;
        entries.push(entry);
        this.next = undefined;
        this.position.line += 1;
      }
      this.position = { part: this.position.part + 1, line: 0 };
      this.lines = undefined;
    }
    return entries;
  }

  /** The entry at the cursor, parsed once; undefined at the end of the current part. */
  private peek(lines: Generator<TextLine>): IndexEntry | undefined {
    if (this.next) return this.next;
    const line = lines.next();
    this.next = line.done ? undefined : JSON.parse(line.value.line) as IndexEntry;
    return this.next;
  }

  /** Loads the current part's text and skips to the cursor's line (a resumed plan starts mid-part). */
  private async openPart(): Promise<Generator<TextLine>> {
    const path = this.parts[this.position.part]!;
    const data = await this.store.read(path);
    if (!data) throw new Error(`index part ${path} of transaction ${this.base} is missing from ${this.store.location}.`);
    this.lines = textLines(data.toString('utf8'));
    for (let skipped = 0; skipped < this.position.line && !this.lines.next().done; skipped++);
    return this.lines;
  }
}
