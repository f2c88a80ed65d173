/**
 * The Avro files of Iceberg's metadata (manifest lists and manifests) read whole, through the
 * project's Avro container reader (tables/avro/: codecs null, deflate, snappy, zstandard), as
 * plain records, and their fields found by Iceberg field id (`field-id` in the Avro schema), not
 * by name: writers may name them differently, the ids are the contract.
 */
import * as avro from 'avsc';
import { ChunkedReader, readAvroBlocks, readAvroHeader } from '../avro/container';
import { TableObjectNotFoundError, type TableStorage } from '../storage';
import { bigintLongs } from '../avro/schema';
import { IcebergTableError } from './errors';
import { placeOf } from './locate';

/** A record schema's fields by id: the name a decoded record holds the field under, and its schema (a `["null", T]` union unwrapped). */
export type FieldsById = Map<number, { name: string; schema: unknown }>;

/** An Avro file of records, decoded. */
export interface AvroObjects {
  /** The writer's record schema. */
  schema: Record<string, unknown>;
  /** The file's metadata entries as text (`partition-spec-id`, `format-version`, `content`, ...). */
  metadata: Map<string, string>;
  records: Array<Record<string, unknown>>;
}

/** A storage holding one object's bytes, for the container reader's ranged reads. */
function bytesStorage(key: string, bytes: Uint8Array, location: string): TableStorage {
  return {
    location,
    list: () => { throw new Error('not listable'); },
    read: async () => bytes,
    readRange: async (_k, start, end) => bytes.subarray(start, Math.min(end, bytes.length)),
    keyOfUri: () => { throw new Error(`${key} has no URIs`); },
  };
}

/** Reads the Avro file `key` whole (one GET) and decodes its records. */
export async function readAvroObjects(storage: TableStorage, key: string, what: string): Promise<AvroObjects> {
  let bytes: Uint8Array;
  try {
    bytes = await storage.read(key);
  } catch (err) {
    if (err instanceof TableObjectNotFoundError) throw new IcebergTableError(`the ${what} ${key} is missing from ${storage.location}: the table is incomplete`);
    throw err;
  }
  const reader = new ChunkedReader(bytesStorage(key, bytes, storage.location), key, bytes.length);
  const header = await readAvroHeader(reader);
  if (header.schema === null || typeof header.schema !== 'object' || (header.schema as { type?: unknown }).type !== 'record') {
    throw new IcebergTableError(`${placeOf(storage, key)}: the ${what}'s Avro schema is not a record`);
  }
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(header.schema as avro.Schema, { wrapUnions: false, typeHook: bigintLongs });
  } catch (err) {
    throw new IcebergTableError(`${placeOf(storage, key)}: the ${what}'s Avro schema cannot be read: ${(err as Error).message}`);
  }
  const records: Array<Record<string, unknown>> = [];
  for await (const block of readAvroBlocks(reader, header)) {
    const buf = Buffer.from(block.data.buffer, block.data.byteOffset, block.data.byteLength);
    let pos = 0;
    for (let i = 0; i < block.count; i++) {
      const { value, offset } = type.decode(buf, pos);
      if (offset < 0) throw new IcebergTableError(`${placeOf(storage, key)}: block ${block.index} of the ${what} ends inside a record`);
      records.push(value as Record<string, unknown>);
      pos = offset;
    }
  }
  const metadata = new Map<string, string>();
  for (const [k, v] of header.metadata) metadata.set(k, new TextDecoder().decode(v));
  return { schema: header.schema as Record<string, unknown>, metadata, records };
}

/** The fields of a record schema by their `field-id` (fields without one are left out). */
export function fieldsById(recordSchema: unknown): FieldsById {
  const out: FieldsById = new Map();
  const s = recordSchema as { fields?: Array<Record<string, unknown>> };
  for (const f of s.fields ?? []) {
    const id = f['field-id'];
    if (typeof id !== 'number' && typeof id !== 'bigint') continue;
    out.set(Number(id), { name: String(f.name), schema: unwrapNullable(f.type) });
  }
  return out;
}

/** `T` of a `["null", T]` union; the schema itself otherwise. */
export function unwrapNullable(schema: unknown): unknown {
  if (Array.isArray(schema)) {
    const rest = schema.filter((b) => b !== 'null');
    return rest.length === 1 ? rest[0] : schema;
  }
  return schema;
}

/** The value of field `id` of `record` (undefined when the schema has no such field). */
export function valueById(record: Record<string, unknown>, fields: FieldsById, id: number): unknown {
  const f = fields.get(id);
  return f === undefined ? undefined : record[f.name];
}
