/**
 * From stored values to exact table values (tables/values.ts), by Iceberg type: Parquet values
 * as hyparquet gives them (tables/parquet.ts: decimals unscaled, timestamps in microseconds,
 * dates in days) with columns found by Parquet field_id at every level, and partition values as
 * manifests store them (Avro: int, long, bytes, string; the specification's "Partition Data").
 * Type promotions a reader must follow (int -> long, float -> double, decimal precision) are read.
 */
import type { SchemaTree } from 'hyparquet';
import { decimalScaleOf } from '../parquet';
import { bigintFromBytes, formatDate, formatDecimal, formatTimestampMicros, type TableValue } from '../values';
import { IcebergTableError } from './errors';
import type { IcebergField, IcebergType } from './types';

/** Turns one stored value into a table value. */
export type Converter = (raw: unknown) => TableValue;

const utf8 = new TextDecoder();

/** The file's child with Parquet field_id `id`, if any. */
export function childById(node: SchemaTree, id: number): SchemaTree | undefined {
  return node.children.find((c) => c.element.field_id === id);
}

/** The text of a 16-byte UUID. */
function uuidText(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const big = (raw: unknown): bigint => (typeof raw === 'bigint' ? raw : BigInt(raw as number));

/** The converter of a primitive (or decimal, fixed) value; `fileScale` is the stored decimal's scale. */
export function primitiveConverter(type: IcebergType, path: string, fileScale?: number): Converter {
  const nullable = (f: (raw: unknown) => TableValue): Converter => (raw) => (raw === null || raw === undefined ? null : f(raw));
  if (type.kind === 'decimal') {
    const shift = type.scale - (fileScale ?? type.scale);
    if (shift !== 0) throw new IcebergTableError(`column ${path}: the file's decimal scale ${fileScale} differs from the table's ${type.scale}`);
    return nullable((raw) => {
      if (raw instanceof Uint8Array) return formatDecimal(bigintFromBytes(raw), type.scale);
      if (typeof raw === 'bigint' || (typeof raw === 'number' && Number.isInteger(raw))) return formatDecimal(big(raw), type.scale);
      throw new IcebergTableError(`column ${path}: no exact decimal stored (${typeof raw})`);
    });
  }
  if (type.kind === 'fixed') return nullable((raw) => (raw instanceof Uint8Array ? new Uint8Array(raw) : new Uint8Array(Buffer.from(String(raw)))));
  if (type.kind !== 'primitive') throw new IcebergTableError(`column ${path}: ${type.kind} is not a primitive`);
  switch (type.name) {
    case 'boolean': return nullable((raw) => Boolean(raw));
    case 'int': case 'float': case 'double': return nullable((raw) => Number(raw));
    case 'long': case 'time': return nullable(big);
    case 'date': return nullable((raw) => formatDate(Number(raw)));
    case 'timestamp': case 'timestamptz': {
      const utc = type.name === 'timestamptz';
      return nullable((raw) => formatTimestampMicros(big(raw), utc));
    }
    case 'string': return nullable((raw) => (raw instanceof Uint8Array ? utf8.decode(raw) : String(raw)));
    case 'uuid': return nullable((raw) => (raw instanceof Uint8Array ? uuidText(raw) : String(raw)));
    case 'binary': return nullable((raw) => (raw instanceof Uint8Array ? new Uint8Array(raw) : new Uint8Array(Buffer.from(String(raw)))));
  }
}

/** The converter of values of `type` stored in the file's `node` (structs, lists and maps by field id). */
export function parquetConverter(type: IcebergType, node: SchemaTree, path: string): Converter {
  switch (type.kind) {
    case 'struct': return structConverter(type.fields, node, path, new Map());
    case 'list': {
      const repeated = node.children[0];
      const element = repeated && repeated.children.length === 1 ? repeated.children[0] as SchemaTree : repeated;
      if (!element) throw new IcebergTableError(`column ${path}: the data file's list has no element`);
      const convert = parquetConverter(type.element, element, `${path}.element`);
      return (raw) => (Array.isArray(raw) ? raw.map((v) => convert(v)) : null);
    }
    case 'map': {
      const entry = node.children[0];
      const valueNode = entry ? childById(entry, type.valueId) ?? entry.children[1] : undefined;
      if (!valueNode) throw new IcebergTableError(`column ${path}: the data file does not store a map`);
      const convertValue = parquetConverter(type.value, valueNode, `${path}.value`);
      const convertKey = mapKeyConverter(type.key, `${path}.key`);
      return (raw) => {
        if (raw === null || raw === undefined || typeof raw !== 'object') return null;
        const out = new Map<TableValue, TableValue>();
        for (const [k, v] of Object.entries(raw)) out.set(convertKey(k), convertValue(v));
        return out;
      };
    }
    default:
      return primitiveConverter(type, path, type.kind === 'decimal' ? decimalScaleOf(node.element) : undefined);
  }
}

/** hyparquet gives maps as objects, their keys as text: back to the key type. */
function mapKeyConverter(type: IcebergType, path: string): (text: string) => TableValue {
  if (type.kind === 'primitive') {
    if (type.name === 'string' || type.name === 'uuid') return (k) => k;
    if (type.name === 'int') return (k) => Number(k);
    if (type.name === 'long') return (k) => BigInt(k);
  }
  throw new IcebergTableError(`column ${path}: map keys of this type are not read (string, uuid, int and long keys are)`);
}

/**
 * The converter of a struct's rows: each field from the file's child of its id; a field the file
 * lacks is `missing.get(id)` (an identity partition value) or null.
 */
export function structConverter(fields: IcebergField[], node: SchemaTree, path: string, missing: Map<number, TableValue>): (raw: unknown) => Record<string, TableValue> | null {
  const parts = fields.map((f) => {
    const child = childById(node, f.id);
    const where = path === '' ? f.name : `${path}.${f.name}`;
    return { name: f.name, key: child?.element.name, convert: child ? parquetConverter(f.type, child, where) : undefined, constant: missing.get(f.id) ?? null };
  });
  return (raw) => {
    if (raw === null || raw === undefined) return null;
    const row = raw as Record<string, unknown>;
    const out: Record<string, TableValue> = {};
    for (const p of parts) out[p.name] = p.convert && p.key !== undefined ? p.convert(row[p.key]) : p.constant;
    return out;
  };
}

/** A partition value as a manifest stores it (identity transform: the source column's type), as a table value. */
export function partitionValueOf(type: IcebergType, raw: unknown, path: string): TableValue {
  if (raw === null || raw === undefined) return null;
  if (type.kind === 'primitive' && type.name === 'uuid' && typeof raw === 'string') return raw;
  if (type.kind === 'decimal' && !(raw instanceof Uint8Array)) throw new IcebergTableError(`partition value of ${path}: a decimal not stored as bytes`);
  return primitiveConverter(type, path)(raw);
}
