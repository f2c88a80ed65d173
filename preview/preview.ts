/**
 * `preview SOURCE KEY`: the first rows of CSV, JSON lines, Parquet and Avro, or the detected
 * media type of anything else. Reads only what it shows: a head range for text, the footer and
 * the first row group for Parquet (through ranged reads), the header and first blocks of an Avro
 * container file (ranged reads of its head, by the reader the caller injects: the Avro reader
 * lives in tables/, beside this layer), the first bytes for type detection.
 * The parsers are loaded on first use: every worker registers this activity, few ever run it.
 */
import type { AsyncBuffer } from 'hyparquet';
import type { SourceClient } from '../s3/client';
import { sliceSource } from '../media/byte-source';
import { previewMedia } from '../media/inspect';
import { fileTypeFromBuffer } from '../media/libraries';
import { familyOf } from '../media/types';
import { joinKey } from '../s3/keys';
import { openRangeReader, type RangeReader } from './range-reader';

/** What a preview shows. Rows are capped and cells truncated: this travels through workflow history. */
export interface PreviewResult {
  key: string;
  size: number;
  format: 'csv' | 'jsonl' | 'parquet' | 'avro' | 'other';
  mediaType: string;
  columns?: string[];
  rows?: unknown[][];
  totalRows?: number;
  /** Media objects: what their bytes say (dimensions, pages, duration, codecs...). */
  metadata?: Record<string, unknown>;
  /** Media objects whose metadata could not be read: why (damaged bytes, too large to read whole). */
  problem?: string;
  bytesRead: number;
}

/** The first rows of a format this folder does not parse itself, read from a {@link RangeReader}. */
export type RowsReader = (file: RangeReader, key: string, limit: number) => Promise<{ columns: string[]; rows: unknown[][] }>;

/** Readers of the formats previewed by other layers: Avro (tables/avro/preview.ts), injected by the activities. */
export interface PreviewReaders {
  avro?: RowsReader;
}

/** How many bytes of a text file are read for its first rows. */
const TEXT_HEAD_BYTES = 64 * 1024;
/** How many leading bytes are read to detect a media type (file-type needs at most 4100 for most). */
const MEDIA_HEAD_BYTES = 4100;
const MAX_CELL = 200;
/** The media type file-type gives Avro object container files. */
const AVRO_MEDIA_TYPE = 'application/avro';

function cell(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (typeof value === 'string' && value.length > MAX_CELL) return `${value.slice(0, MAX_CELL)}…`;
  if (value !== null && typeof value === 'object') return cell(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  return value;
}

async function textHead(reader: RangeReader): Promise<string> {
  const bytes = Buffer.from(await reader.slice(0, Math.min(reader.byteLength, TEXT_HEAD_BYTES)));
  const text = bytes.toString('utf8');
  // Drop a last line cut by the range, unless the whole file was read.
  return reader.byteLength > TEXT_HEAD_BYTES ? text.slice(0, text.lastIndexOf('\n') + 1) : text;
}

/** How many bytes at the end of a Parquet file are fetched first: the footer of most files fits. */
const PARQUET_TAIL_BYTES = 64 * 1024;

/**
 * `reader` with its last `tailBytes` fetched once and served from memory: the footer, and the
 * page indexes that writers put just before it, then cost one request instead of one each.
 */
async function withCachedTail(reader: RangeReader, tailBytes: number): Promise<AsyncBuffer> {
  const end = reader.byteLength;
  const tailStart = Math.max(0, end - tailBytes);
  const tail = await reader.slice(tailStart, end);
  return {
    byteLength: end,
    slice: (start, stop = end) => (start >= tailStart && stop <= end ? tail.slice(start - tailStart, stop - tailStart) : reader.slice(start, stop)),
  };
}

/**
 * Reads the footer, then only the first `limit` rows: hyparquet fetches the column chunks of the
 * row groups holding them (and with an offset index, only the pages holding them).
 */
async function previewParquet(reader: RangeReader, limit: number): Promise<Pick<PreviewResult, 'columns' | 'rows' | 'totalRows'>> {
  const { parquetMetadataAsync, parquetRead, parquetSchema } = await import('hyparquet');
  const file = await withCachedTail(reader, PARQUET_TAIL_BYTES);
  const metadata = await parquetMetadataAsync(file, { initialFetchSize: PARQUET_TAIL_BYTES });
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  // parquetRead (not parquetReadObjects, which forces object rows) yields one array per row.
  const rows = await new Promise<unknown[][]>((resolve, reject) => {
    parquetRead({ file, metadata, rowStart: 0, rowEnd: limit, useOffsetIndex: true, onComplete: resolve }).catch(reject);
  });
  return { columns, rows: rows.map((r) => r.map(cell)), totalRows: Number(metadata.num_rows) };
}

function formatOf(key: string): PreviewResult['format'] {
  const lower = key.toLowerCase();
  if (/\.csv(\.txt)?$|\.tsv$/.test(lower)) return 'csv';
  if (/\.(jsonl|ndjson|json)$/.test(lower)) return 'jsonl';
  if (lower.endsWith('.parquet')) return 'parquet';
  if (lower.endsWith('.avro')) return 'avro';
  return 'other';
}

/** Previews `path` (relative to the source URL); `readers` read the formats parsed elsewhere (Avro). */
export async function previewObject(client: SourceClient, path: string, limit = 10, readers: PreviewReaders = {}): Promise<PreviewResult> {
  const key = joinKey(client.prefix, path);
  const reader = await openRangeReader(client, key);
  const format = formatOf(key);
  const base = { key: path, size: reader.byteLength, format };
  if (format === 'avro' && readers.avro) {
    const { columns, rows } = await readers.avro(reader, path, limit);
    return { ...base, mediaType: AVRO_MEDIA_TYPE, columns, rows: rows.map((r) => r.map(cell)), bytesRead: reader.bytesRead };
  }
  if (format === 'parquet') {
    return { ...base, mediaType: 'application/vnd.apache.parquet', ...(await previewParquet(reader, limit)), bytesRead: reader.bytesRead };
  }
  if (format === 'csv') {
    const { parse: parseCsv } = await import('csv-parse/sync');
    const records = parseCsv(await textHead(reader), { relax_column_count: true, skip_empty_lines: true, to: limit + 1, delimiter: key.toLowerCase().endsWith('.tsv') ? '\t' : ',' });
    const [header = [], ...rows] = records;
    return { ...base, mediaType: 'text/csv', columns: header, rows: rows.map((r) => r.map(cell)), bytesRead: reader.bytesRead };
  }
  if (format === 'jsonl') {
    const lines = (await textHead(reader)).split('\n').filter((l) => l.trim() !== '').slice(0, limit);
    const objects = lines.map((line) => { try { return JSON.parse(line) as unknown; } catch { return { _unparsable: line }; } });
    const columns = [...new Set(objects.flatMap((o) => (o && typeof o === 'object' && !Array.isArray(o) ? Object.keys(o) : ['value'])))];
    const rows = objects.map((o) => columns.map((c) => cell(o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>)[c] : o)));
    return { ...base, mediaType: 'application/x-ndjson', columns, rows, bytesRead: reader.bytesRead };
  }
  const head = new Uint8Array(await reader.slice(0, Math.min(reader.byteLength, MEDIA_HEAD_BYTES)));
  const detected = await (await fileTypeFromBuffer())(head);
  if (detected?.mime === AVRO_MEDIA_TYPE && readers.avro) {
    // An Avro container file whose name does not say so.
    const { columns, rows } = await readers.avro(reader, path, limit);
    return { ...base, format: 'avro', mediaType: AVRO_MEDIA_TYPE, columns, rows: rows.map((r) => r.map(cell)), bytesRead: reader.bytesRead };
  }
  const cut = head.byteLength < reader.byteLength;
  const mediaType = detected?.mime ?? (reader.byteLength === 0 ? 'application/x-empty' : looksLikeText(head, cut) ? 'text/plain' : 'application/octet-stream');
  if (detected && familyOf(detected.mime)) {
    // A media type this connector describes: its metadata, through bounded ranged reads.
    const media = await previewMedia(sliceSource(reader));
    return { ...base, mediaType: media.mediaType ?? mediaType, ...(media.metadata ? { metadata: media.metadata } : {}),
      ...(media.problem ? { problem: media.problem } : {}), bytesRead: reader.bytesRead };
  }
  return { ...base, mediaType, bytesRead: reader.bytesRead };
}

/** Valid UTF-8 without NUL bytes. When `cut`, a character split by the end of the range still counts as text. */
function looksLikeText(bytes: Uint8Array, cut: boolean): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: cut });
    return true;
  } catch {
    return false;
  }
}
