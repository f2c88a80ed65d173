/**
 * Cutting streams of row batches: a table's scan into its files' runs of batches
 * ({@link byFile}), and one file's rows into chunks of at most N rows ({@link RowChunker}), each
 * becoming one Parquet file. Both pull from their source only as their consumer reads, so memory
 * holds one batch (a row group) beyond what the consumer keeps.
 */
import type { TableRow, TableRowBatch } from '../tables/table-reader';

/** The rows of one data file of a scan, as a stream of batches. */
export interface FileRows {
  file: string;
  batches: AsyncIterable<TableRow[]>;
}

/**
 * Splits a scan (batches of consecutive files) into one stream per file. Each file's stream must
 * be read (or abandoned) before the next file is asked for; what is left of it is skipped then.
 */
export async function* byFile(scan: AsyncIterable<TableRowBatch>): AsyncGenerator<FileRows> {
  const iterator = scan[Symbol.asyncIterator]();
  let head = await iterator.next();
  while (!head.done) {
    const file = head.value.file;
    const batches = async function* () {
      while (!head.done && head.value.file === file) {
        const rows = head.value.rows;
        head = await iterator.next();
        yield rows;
      }
    };
    yield { file, batches: batches() };
    // The consumer may have stopped early: skip the rest of this file.
    while (!head.done && head.value.file === file) head = await iterator.next();
  }
}

/** Cuts a stream of row batches into consecutive chunks of at most `limit` rows. */
export class RowChunker {
  private readonly iterator: AsyncIterator<TableRow[]>;
  private pending: TableRow[] = [];
  private ended = false;

  constructor(batches: AsyncIterable<TableRow[]>, private readonly limit: number) {
    this.iterator = batches[Symbol.asyncIterator]();
  }

  /** Whether another chunk has rows (reads ahead to the next non-empty batch). */
  async hasMore(): Promise<boolean> {
    await this.fill();
    return this.pending.length > 0;
  }

  /** The next chunk, as batches of its rows; read it whole before asking for the next. */
  async *chunk(): AsyncGenerator<TableRow[]> {
    let left = this.limit;
    while (left > 0) {
      await this.fill();
      if (this.pending.length === 0) return;
      const take = this.pending.length <= left ? this.pending : this.pending.slice(0, left);
      this.pending = take === this.pending ? [] : this.pending.slice(left);
      left -= take.length;
      yield take;
    }
  }

  private async fill(): Promise<void> {
    while (this.pending.length === 0 && !this.ended) {
      const next = await this.iterator.next();
      if (next.done) this.ended = true;
      else this.pending = next.value;
    }
  }
}
