/**
 * A table read as the bytes of its output format, whoever writes them where: JSON lines
 * (serialize.ts), CSV (RFC 4180, a header line, CRLF) or one Parquet file (parquet-writer/).
 * The CLI writes them to a file or stdout (`tables read --direct`); a worker's `tableRead`
 * activity streams them into the dataset store. The same rows give the same bytes in both.
 */
import { encodeParquet } from './parquet-writer';
import { readTableRows, type OpenedTable, type ReadHeader, type ReadRequest } from './registry-ops';
import { csvHeader, csvLineOfRow, jsonLineOfRow } from './serialize';
import type { TableRow } from './table-reader';

/** The formats `tables read` writes. */
export const READ_FORMATS = ['jsonl', 'csv', 'parquet'] as const;

/** One of {@link READ_FORMATS}. */
export type ReadFormat = (typeof READ_FORMATS)[number];

/** The version and columns of a read, without the typed schema (which stays where the rows are encoded). */
export type ReadSummary = Omit<ReadHeader, 'schema'>;

/** What a read has done so far: filled as its bytes are produced. */
export interface ReadProgress {
  /** The version and columns, once the table is opened. */
  header?: ReadSummary;
  /** Rows encoded. */
  rows: number;
  /** Bytes produced. */
  bytes: number;
}

/** Text is handed on in pieces of about this size: few writes, little memory. */
const TEXT_CHUNK = 64 * 1024;

/** Rows handed to the Parquet writer at a time (it gathers them into row groups). */
const PARQUET_BATCH_ROWS = 8192;

/** The header without its typed schema. */
function summaryOf({ schema: _schema, ...summary }: ReadHeader): ReadSummary {
  return summary;
}

/** Whether `text` names a format of {@link READ_FORMATS}. */
export function isReadFormat(text: string): text is ReadFormat {
  return (READ_FORMATS as readonly string[]).includes(text);
}

/**
 * The bytes of `table`'s rows for `request` in `format`, in order; `progress` is filled as they
 * go (the header before the first byte). Memory holds a chunk of text or a Parquet row group.
 */
export async function* encodeTableRead(table: OpenedTable, request: ReadRequest, format: ReadFormat, progress: ReadProgress = { rows: 0, bytes: 0 }): AsyncGenerator<Uint8Array> {
  let header: ReadHeader | undefined;
  const rows = readTableRows(table, request, (h) => {
    header = h;
    progress.header = summaryOf(h);
  });
  const counted = (chunk: Uint8Array) => {
    progress.bytes += chunk.length;
    return chunk;
  };
  if (format === 'parquet') {
    // The writer needs the schema first: the header is known once the first row (or the end) is read.
    const first = await rows.next();
    const schema = (header as ReadHeader | undefined)?.schema;
    if (!schema) throw new Error(`table ${table.name}: the read ended before its header`);
    for await (const chunk of encodeParquet(schema, batchesOf(first, rows, progress))) yield counted(chunk);
    return;
  }
  let text = '';
  let names: string[] = [];
  for await (const row of rows) {
    if (progress.rows === 0 && format === 'csv') names = csvNames(progress, (line) => { text += line; });
    text += format === 'csv' ? `${csvLineOfRow(row, names)}\r\n` : `${jsonLineOfRow(row)}\n`;
    progress.rows++;
    if (text.length >= TEXT_CHUNK) {
      yield counted(Buffer.from(text));
      text = '';
    }
  }
  // CSV of no rows is still its header line.
  if (progress.rows === 0 && format === 'csv') csvNames(progress, (line) => { text += line; });
  if (text !== '') yield counted(Buffer.from(text));
}

/** The CSV column names from the header, with the header line handed to `emit`. */
function csvNames(progress: ReadProgress, emit: (line: string) => void): string[] {
  const names = (progress.header?.columns ?? []).map((c) => c.name);
  emit(`${csvHeader(names)}\r\n`);
  return names;
}

/** Rows in batches for the Parquet writer, the first already read, counting them into `progress`. */
async function* batchesOf(first: IteratorResult<TableRow>, rest: AsyncGenerator<TableRow>, progress: ReadProgress): AsyncGenerator<TableRow[]> {
  if (first.done) return;
  let batch: TableRow[] = [first.value];
  try {
    for await (const row of rest) {
      batch.push(row);
      if (batch.length >= PARQUET_BATCH_ROWS) {
        progress.rows += batch.length;
        yield batch;
        batch = [];
      }
    }
  } finally {
    await rest.return(undefined);
  }
  progress.rows += batch.length;
  if (batch.length > 0) yield batch;
}
