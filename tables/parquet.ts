/**
 * Parquet through hyparquet, a row group at a time, with values kept exact: decimals come back
 * as unscaled integers (their scale is kept aside, see {@link decimalScaleOf}), timestamps as
 * bigint microseconds, dates as days, byte arrays without a string annotation as bytes. Every
 * codec pyarrow writes is read (hyparquet-compressors).
 */
import type { FileMetaData, SchemaElement, SchemaTree } from 'hyparquet';
import type { ByteSource, TableStorage } from './storage';

/** An open Parquet file: its footer and schema tree. */
export interface ParquetFile {
  key: string;
  metadata: FileMetaData;
  /** The root of the schema tree; its children are the top-level columns. */
  schema: SchemaTree;
  /** Each row group's first row and row count, in file order. */
  rowGroups: Array<{ rowStart: number; rowCount: number }>;
  /** @internal */
  source: ByteSource;
}

const decimalScales = new WeakMap<SchemaElement, number>();

/** The scale of a column that the file annotates as DECIMAL, undefined for any other column. */
export function decimalScaleOf(element: SchemaElement): number | undefined {
  return decimalScales.get(element);
}

/** Whether the element was annotated as DATE (its values are days since the epoch). */
export function isDateElement(element: SchemaElement): boolean {
  return element.converted_type === 'DATE' || element.logical_type?.type === 'DATE';
}

type Hyparquet = typeof import('hyparquet');
let modules: Promise<{ hyparquet: Hyparquet; compressors: Record<string, unknown> }> | undefined;

/** hyparquet and its compressors ship ES modules only: loaded once, on first use. */
async function load(): Promise<{ hyparquet: Hyparquet; compressors: Record<string, unknown> }> {
  modules ??= (async () => {
    const hyparquet = await import('hyparquet');
    const { compressors } = await import('hyparquet-compressors');
    return { hyparquet, compressors: compressors as Record<string, unknown> };
  })();
  return modules;
}

/**
 * Reads the footer of `key` (of `size` bytes): one ranged read of the file's last
 * `footerFetch` bytes (512 KiB by default, hyparquet's), a second when the footer is longer.
 */
export async function openParquet(storage: TableStorage, key: string, size: number, footerFetch?: number): Promise<ParquetFile> {
  const { hyparquet } = await load();
  // The footer fetch (the whole file when it is no longer) is kept: reads of the row groups it covers come from memory, not again from storage.
  const fetch = Math.min(size, footerFetch ?? DEFAULT_FOOTER_FETCH);
  const source = tailSource(storage, key, size, await storage.readRange(key, size - fetch, size));
  // Exact parsers here too: row-group statistics of timestamps come back as bigint microseconds, dates as days.
  const metadata = await hyparquet.parquetMetadataAsync(source, { initialFetchSize: footerFetch, parsers: EXACT_PARSERS });
  for (const element of metadata.schema) {
    const scale = element.converted_type === 'DECIMAL' || element.logical_type?.type === 'DECIMAL'
      ? (element.logical_type?.type === 'DECIMAL' ? element.logical_type.scale : element.scale ?? 0)
      : undefined;
    if (scale === undefined) continue;
    decimalScales.set(element, scale);
    // Without the annotation hyparquet hands over the unscaled integers instead of lossy numbers.
    delete element.converted_type;
    delete element.logical_type;
  }
  const rowGroups: ParquetFile['rowGroups'] = [];
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    rowGroups.push({ rowStart, rowCount: Number(group.num_rows) });
    rowStart += Number(group.num_rows);
  }
  return { key, metadata, schema: hyparquet.parquetSchema(metadata), rowGroups, source };
}

/** hyparquet's own initial footer fetch. */
const DEFAULT_FOOTER_FETCH = 512 * 1024;

/** A byte source over object `key` of `size` bytes whose last bytes, `tail`, are in memory: only bytes before them are read. */
function tailSource(storage: TableStorage, key: string, size: number, tail: Uint8Array): ByteSource {
  const tailStart = size - tail.byteLength;
  const fromTail = (start: number, end: number) => tail.slice(start - tailStart, end - tailStart);
  return {
    byteLength: size,
    async slice(start: number, end: number = size): Promise<ArrayBuffer> {
      const stop = Math.min(end, size);
      let bytes: Uint8Array;
      if (start >= tailStart) bytes = fromTail(start, stop);
      else if (stop <= tailStart) bytes = await storage.readRange(key, start, stop);
      else {
        const head = await storage.readRange(key, start, tailStart);
        bytes = new Uint8Array(stop - start);
        bytes.set(head, 0);
        bytes.set(fromTail(tailStart, stop), head.byteLength);
      }
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

/** Timestamps as bigint microseconds, dates as days: the exact values, formatted by the caller. */
const EXACT_PARSERS = {
  timestampFromMilliseconds: (v: bigint) => BigInt(v) * 1000n,
  timestampFromMicroseconds: (v: bigint) => BigInt(v),
  timestampFromNanoseconds: (v: bigint) => {
    const n = BigInt(v);
    const q = n / 1000n;
    return n % 1000n < 0n ? q - 1n : q;
  },
  dateFromDays: (v: number) => v,
};

/**
 * The rows of row group `index`, as objects keyed by top-level column name (only `columns` when
 * given). Nested values are as hyparquet assembles them: structs as objects, lists as arrays,
 * maps as objects.
 */
export async function readRowGroup(file: ParquetFile, index: number, columns?: string[]): Promise<Array<Record<string, unknown>>> {
  const group = file.rowGroups[index];
  if (!group) throw new RangeError(`row group ${index} of ${file.key} does not exist`);
  if (group.rowCount === 0 || (columns && columns.length === 0)) return Array.from({ length: group.rowCount }, () => ({}));
  const { hyparquet, compressors } = await load();
  return hyparquet.parquetReadObjects({
    file: file.source, metadata: file.metadata, columns,
    rowStart: group.rowStart, rowEnd: group.rowStart + group.rowCount,
    utf8: false, parsers: EXACT_PARSERS, compressors: compressors as never,
  });
}

/** The top-level column names of the file. */
export function columnNames(file: ParquetFile): string[] {
  return file.schema.children.map((c) => c.element.name);
}
