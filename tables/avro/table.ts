/**
 * An Avro table: a folder of Avro object container files below a root, read in place; and the
 * first rows of one Avro object, for previews.
 *
 * - Files: every `*.avro` key below the root, in key order; names starting with `_` or `.` are
 *   not data (as for Parquet tables).
 * - Partitions: hive-style `key=value/` folders are typed columns after the record's fields, as
 *   for Parquet tables (tables/hive-partitions.ts); a partition column that the records also
 *   hold is read from the folder name.
 * - Schema: the newest file's (latest modification time, then the greatest key): a table
 *   evolves by writing new files with a new schema. Every older file is read through Avro's
 *   schema resolution to it (fields matched by name or alias, added fields take their defaults,
 *   removed ones are skipped, int -> long -> float -> double and string <-> bytes promotions,
 *   unions resolved branch by branch). A file that does not resolve fails naming the file and
 *   why. Opening checks the headers of at most {@link AvroTableOptions.maxSchemaFiles} files
 *   (100 by default, the newest); the others are checked when scanned.
 * - Scan: one batch per container block, values exact (schema.ts).
 */
import type * as avro from 'avsc';
import type { DeltaField } from '../delta/schema';
import type { StoredObject, TableStorage } from '../storage';
import {
  limitRows, selectColumns, type TableDescription, type TableReader, type TableRow, type TableRowBatch, type TableScanOptions,
} from '../table-reader';
import type { TableValue } from '../values';
import { inferPartitionFields, partitionValuesOf } from '../hive-partitions';
import { compileWhere, mayMatch, type CompiledWhere } from '../predicate';
import { partitionSummaries } from '../predicate/summaries';
import { emptyScanStats, filterRows, namesToRead, type ScanStats } from '../scan-stats';
import { ChunkedReader, readAvroBlocks, readAvroHeader, type AvroHeader } from './container';
import { AvroFileError, AvroSchemaError } from './errors';
import { avroRecordShape, avscType, checkLogicalTypes } from './schema';

/** Options of {@link openAvroTable}. */
export interface AvroTableOptions {
  /** Headers checked against the table's schema when the table is opened, at most (100 by default). */
  maxSchemaFiles?: number;
}

/** An opened Avro table. */
export interface AvroTable extends TableReader {
  /** The data files, in key order. */
  readonly files: StoredObject[];
  /** The file whose schema is the table's. */
  readonly schemaFile: string;
  /** The table's Avro schema (the newest file's writer schema). */
  readonly avroSchema: unknown;
}

/** Whether a key below the root is a data file of an Avro table. */
export function isAvroDataKey(key: string): boolean {
  if (!key.toLowerCase().endsWith('.avro')) return false;
  const parts = key.split('/');
  return parts.every((p) => !(p.startsWith('_') || p.startsWith('.')) || p.includes('='));
}

interface OpenedFile {
  reader: ChunkedReader;
  header: AvroHeader;
}

async function openFile(storage: TableStorage, object: StoredObject): Promise<OpenedFile> {
  const reader = new ChunkedReader(storage, object.key, object.size, 64 * 1024);
  const header = await readAvroHeader(reader);
  return { reader: new ChunkedReader(storage, object.key, object.size), header };
}

/** Lists the table's files and reads its schema from the newest file's header. */
export async function openAvroTable(storage: TableStorage, options: AvroTableOptions = {}): Promise<AvroTable> {
  const files: StoredObject[] = [];
  for await (const object of storage.list('')) if (isAvroDataKey(object.key)) files.push(object);
  if (files.length === 0) throw new AvroFileError(`no Avro files below ${storage.location}`);
  const byAge = [...files].sort((a, b) => b.lastModified - a.lastModified || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  const newest = byAge[0] as StoredObject;
  const { header } = await openFile(storage, newest);
  const tableType = avscType(header.schema, newest.key);
  const shape = avroRecordShape(header.schema, tableType, newest.key);
  const partitionFields = inferPartitionFields(files.map((f) => f.key));
  const partitionNames = new Set(partitionFields.map((f) => f.name));
  const schema = { kind: 'struct' as const, fields: [...shape.fields.filter((f) => !partitionNames.has(f.name)), ...partitionFields] };

  // One resolver per writer schema (by its text): a table's files share a few schemas.
  const resolvers = new Map<string, avro.Resolver>();
  const resolverFor = (file: string, writer: AvroHeader): avro.Resolver | undefined => {
    if (writer.schemaText === header.schemaText) return undefined;
    const known = resolvers.get(writer.schemaText);
    if (known) return known;
    checkLogicalTypes(header.schema, writer.schema, file);
    let resolver: avro.Resolver;
    try {
      resolver = tableType.createResolver(avscType(writer.schema, file));
    } catch (err) {
      throw new AvroSchemaError(`${file}: its schema does not resolve to the table's (the schema of ${newest.key}): ${(err as Error).message}`);
    }
    resolvers.set(writer.schemaText, resolver);
    return resolver;
  };
  for (const object of byAge.slice(1, Math.max(1, options.maxSchemaFiles ?? 100))) {
    resolverFor(object.key, (await openFile(storage, object)).header);
  }

  const description: TableDescription = {
    format: 'avro', schema, partitionColumns: partitionFields.map((f) => f.name), fileCount: files.length, bytes: files.reduce((s, f) => s + f.size, 0),
  };

  async function* scanAll(names: string[], read: string[], where: CompiledWhere | undefined, stats: ScanStats, planOnly: boolean): AsyncGenerator<TableRowBatch> {
    for (const object of files) {
      stats.filesTotal++;
      stats.fileBytesTotal += object.size;
      const partition = partitionValuesOf(object.key, partitionFields);
      if (where && !mayMatch(where.bound, partitionSummaries(partition, partitionNames))) {
        stats.filesPrunedByPartition++;
        continue;
      }
      // Avro has no statistics: a kept file is read whole, block by block.
      stats.bytesToRead += object.size;
      if (planOnly) continue;
      const { reader, header: fileHeader } = await openFile(storage, object);
      const resolver = resolverFor(object.key, fileHeader);
      for await (const block of readAvroBlocks(reader, fileHeader)) {
        stats.rowGroupsTotal++;
        const rows = decodeBlock(tableType, resolver, block.data, block.count, `${object.key} block ${block.index}`)
          .map((raw) => pick({ ...shape.convert(raw), ...partition }, read));
        yield { file: object.key, rowGroup: block.index, rows: filterRows(rows, where, names) };
      }
    }
  }

  return {
    files, schemaFile: newest.key, avroSchema: header.schema,
    describe: async () => description,
    scan(scan: TableScanOptions = {}) {
      const names = selectColumns(schema, scan.columns, storage.location).map((f) => f.name);
      const where = scan.where !== undefined ? compileWhere(scan.where, schema, storage.location) : undefined;
      return limitRows(scanAll(names, namesToRead(names, where), where, scan.stats ?? emptyScanStats(), scan.planOnly === true), scan.limit);
    },
  };
}

/** Decodes the `count` objects of a block. */
function decodeBlock(type: avro.Type, resolver: avro.Resolver | undefined, data: Uint8Array, count: number, where: string): unknown[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: unknown[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const { value, offset } = type.decode(buf, pos, resolver);
    if (offset < 0) throw new AvroFileError(`${where}: object ${i} of ${count} runs past the block's end`);
    out.push(value);
    pos = offset;
  }
  if (pos !== buf.length) throw new AvroFileError(`${where}: ${buf.length - pos} bytes left after its ${count} objects`);
  return out;
}

function pick(row: Record<string, TableValue>, names: string[]): TableRow {
  const out: TableRow = {};
  for (const name of names) out[name] = row[name] ?? null;
  return out;
}

/** The first rows of one Avro object, with its schema as table fields. */
export interface AvroPreview {
  fields: DeltaField[];
  /** The writer schema, as the header has it. */
  avroSchema: unknown;
  codec: string;
  rows: TableRow[];
}

/**
 * The first `limit` rows of the Avro object container file `key` (for `preview SOURCE KEY`):
 * ranged reads of its header and of only as many blocks as the rows need. `size` is looked up
 * by listing when not given.
 */
export async function readAvroRows(storage: TableStorage, key: string, limit: number, size?: number): Promise<AvroPreview> {
  let length = size;
  if (length === undefined) {
    for await (const object of storage.list(key)) {
      if (object.key === key) length = object.size;
      break;
    }
    if (length === undefined) throw new AvroFileError(`no object "${key}" in ${storage.location}`);
  }
  const { reader, header } = await openFile(storage, { key, size: length, lastModified: 0 });
  const type = avscType(header.schema, key);
  const shape = avroRecordShape(header.schema, type, key);
  const rows: TableRow[] = [];
  if (limit > 0) {
    for await (const block of readAvroBlocks(reader, header)) {
      for (const raw of decodeBlock(type, undefined, block.data, block.count, `${key} block ${block.index}`)) {
        rows.push(shape.convert(raw));
        if (rows.length >= limit) break;
      }
      if (rows.length >= limit) break;
    }
  }
  return { fields: shape.fields, avroSchema: header.schema, codec: header.codec, rows };
}
