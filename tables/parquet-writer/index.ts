/**
 * Writes table rows as one Parquet file, streamed: rows become Arrow record batches
 * (arrow-columns.ts, apache-arrow), which parquet-wasm's `transformParquetStream` (arrow-rs's
 * async Arrow writer compiled to WebAssembly) encodes, handing back the bytes of each row group as
 * it is closed. The caller receives the file in order and memory holds about two row groups (the
 * one being encoded and the next batch pulled), not the table.
 *
 * parquet-wasm's Node build instantiates its WebAssembly synchronously on first require, in the
 * main thread or a worker thread alike (each thread its own instance). WebAssembly memory grows
 * to the largest row group encoded and is never returned to the system while the thread lives:
 * bound the row group with `rowGroupRows` for wide rows (rows are the only bound: the builder's
 * setMaxRowGroupBytes does not close row groups in 0.8.0's streaming writer, as tried).
 */
import { RecordBatch, RecordBatchStreamWriter, Struct, makeData } from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm';
import type { TableRow, TableSchema } from '../table-reader';
import { columnsOfRows } from './arrow-columns';
import { arrowSchemaOf, ParquetWriteError } from './arrow-types';

export { ParquetWriteError } from './arrow-types';

/** How the file is written. */
export interface ParquetWriteOptions {
  /** The codec of every column chunk; zstd by default. */
  compression?: 'zstd' | 'snappy' | 'none';
  /** Rows per row group (the unit of memory and of readers' parallelism); {@link DEFAULT_ROW_GROUP_ROWS} by default. */
  rowGroupRows?: number;
}

/** Rows per row group unless told: 64 Ki rows, about 100 MB of encoder memory at 1.5 KB a row. */
export const DEFAULT_ROW_GROUP_ROWS = 65_536;

const CODECS = {
  zstd: parquetWasm.Compression.ZSTD,
  snappy: parquetWasm.Compression.SNAPPY,
  none: parquetWasm.Compression.UNCOMPRESSED,
} as const;

/** One batch of rows as a parquet-wasm record batch (an Arrow IPC stream handed to WebAssembly memory). */
function wasmBatch(schema: TableSchema, rows: TableRow[], first: number): parquetWasm.RecordBatch {
  const arrowSchema = arrowSchemaOf(schema);
  const children = columnsOfRows(schema, rows, first);
  const batch = new RecordBatch(arrowSchema, makeData({ type: new Struct(arrowSchema.fields), length: rows.length, nullCount: 0, children }));
  const table = parquetWasm.Table.fromIPCStream(RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true));
  try {
    const wasm = table.recordBatch(0);
    if (!wasm) throw new ParquetWriteError('parquet-wasm read no record batch back from the Arrow stream');
    return wasm;
  } finally {
    table.free();
  }
}

/** Slices of at most `size` rows, in order, skipping empty batches. */
async function* slices(batches: AsyncIterable<TableRow[]> | Iterable<TableRow[]>, size: number): AsyncGenerator<TableRow[]> {
  for await (const rows of batches) {
    for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
  }
}

/**
 * The bytes of one Parquet file holding `batches`' rows under `schema`, in order (concatenate
 * them). Columns are the schema's top-level fields by name; values follow tables/values.ts (longs
 * as bigints, decimals exact as Decimal128 at the schema's precision and scale, timestamps in
 * microseconds: `timestamp` UTC-adjusted, `timestamp_ntz` not). A table with no rows is a valid
 * file with the schema and no row group. A value that does not fit its column fails naming the
 * column and the row; stopping early (`return()`) stops reading `batches`.
 */
export async function* encodeParquet(
  schema: TableSchema,
  batches: AsyncIterable<TableRow[]> | Iterable<TableRow[]>,
  options: ParquetWriteOptions = {},
): AsyncGenerator<Uint8Array> {
  const rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!Number.isInteger(rowGroupRows) || rowGroupRows < 1) throw new RangeError(`rowGroupRows must be a whole number of rows above 0, not ${rowGroupRows}`);
  const codec = CODECS[options.compression ?? 'zstd'];
  if (codec === undefined) throw new RangeError(`compression must be zstd, snappy or none, not ${String(options.compression)}`);
  arrowSchemaOf(schema); // a type without a Parquet mapping fails before any row is read

  const source = slices(batches, rowGroupRows);
  let sourceError: unknown;
  let rowsSent = 0;
  let started = false;
  // highWaterMark 0: parquet-wasm pulls a batch only when it wants one, so reading keeps pace with writing.
  const input = new ReadableStream<parquetWasm.RecordBatch>({
    pull: async (controller) => {
      try {
        const next = await source.next();
        if (next.done) {
          // The writer takes its schema from the first batch: an empty table still sends one, of no rows.
          if (!started) controller.enqueue(wasmBatch(schema, [], 0));
          started = true;
          controller.close();
          return;
        }
        started = true;
        controller.enqueue(wasmBatch(schema, next.value, rowsSent));
        rowsSent += next.value.length;
      } catch (err) {
        sourceError ??= err;
        controller.error(err);
      }
    },
    cancel: async () => { await source.return(undefined); },
  }, { highWaterMark: 0 });

  const properties = new parquetWasm.WriterPropertiesBuilder()
    .setCompression(codec)
    .setMaxRowGroupSize(rowGroupRows)
    .setCreatedBy('s3-connector (parquet-wasm 0.8.0)')
    .build();
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let finished = false;
  try {
    const output = await parquetWasm.transformParquetStream(input, properties) as ReadableStream<Uint8Array>;
    reader = output.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield value;
    }
    finished = true;
  } catch (err) {
    // The wasm side reports a failed pull as its own error: the source's error says what went wrong.
    throw sourceError ?? err;
  } finally {
    if (!finished) {
      await reader?.cancel().catch(() => undefined);
      await source.return(undefined);
    }
  }
  if (sourceError !== undefined) throw sourceError;
}
