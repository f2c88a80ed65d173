/**
 * From hyparquet's raw values to Delta values, by the table's type and the data file's schema:
 * column mapping (physical names, or Parquet field ids in id mode), missing columns as nulls,
 * exact decimals and timestamps, and the type widenings of PROTOCOL.md "Type Widening" (a file
 * written before a column was widened is read as the wider type).
 */
import type { SchemaTree } from 'hyparquet';
import { decimalScaleOf } from '../parquet';
import { DeltaTableError } from './errors';
import type { ColumnMappingMode, DeltaField, DeltaStructType, DeltaType } from './schema';
import { bigintFromBytes, formatDate, formatDecimal, formatTimestampMicros, type DeltaValue } from './values';
import { parsePartitionValue } from './partition-values';

/** Turns one raw value into a Delta value. */
export type Converter = (raw: unknown) => DeltaValue;

const utf8 = new TextDecoder();

/** The data file's field for a table field: by field id in id mode (when the file has ids), else by (physical) name. */
export function fileChildFor(node: SchemaTree, field: DeltaField, mode: ColumnMappingMode): SchemaTree | undefined {
  if (mode === 'id' && field.fieldId !== undefined) {
    const byId = node.children.find((c) => c.element.field_id === field.fieldId);
    if (byId || node.children.some((c) => c.element.field_id !== undefined)) return byId;
  }
  const name = mode === 'none' ? field.name : field.physicalName;
  return node.children.find((c) => c.element.name === name);
}

/**
 * A converter of rows: `node` is a struct of the file (its root for whole rows), `struct` the
 * table's fields to produce (by logical name). Fields the file lacks come back null.
 */
export function structConverter(struct: DeltaStructType, node: SchemaTree, mode: ColumnMappingMode): (raw: unknown) => Record<string, DeltaValue> | null {
  const parts = struct.fields.map((f) => {
    const child = fileChildFor(node, f, mode);
    return { name: f.name, key: child?.element.name, convert: child ? converterFor(f.type, child, mode, f.name) : undefined };
  });
  return (raw) => {
    if (raw === null || raw === undefined) return null;
    const row = raw as Record<string, unknown>;
    const out: Record<string, DeltaValue> = {};
    for (const p of parts) out[p.name] = p.convert && p.key !== undefined ? p.convert(row[p.key]) : null;
    return out;
  };
}

/** The converter for values of `type` stored in the file's `node`. */
export function converterFor(type: DeltaType, node: SchemaTree, mode: ColumnMappingMode, path: string): Converter {
  switch (type.kind) {
    case 'struct':
      return structConverter(type, node, mode);
    case 'array': {
      let element = node.children[0];
      if (!element) throw new DeltaTableError(`column ${path}: the data file's list has no element`);
      // As hyparquet assembles lists: a 3-level list's repeated group holds the element.
      if (element.children.length === 1) element = element.children[0] as SchemaTree;
      const convert = converterFor(type.elementType, element, mode, `${path}.element`);
      return (raw) => (Array.isArray(raw) ? raw.map((v) => convert(v)) : null);
    }
    case 'map': {
      const entry = node.children[0];
      const valueNode = entry?.children.find((c) => c.element.name === 'value') ?? entry?.children[1];
      if (!valueNode) throw new DeltaTableError(`column ${path}: the data file does not store a map`);
      const convertValue = converterFor(type.valueType, valueNode, mode, `${path}.value`);
      const keyType = type.keyType;
      return (raw) => {
        if (raw === null || raw === undefined || typeof raw !== 'object') return null;
        const out = new Map<DeltaValue, DeltaValue>();
        for (const [k, v] of Object.entries(raw)) out.set(parsePartitionValue(k, keyType, `${path}.key`) ?? k, convertValue(v));
        return out;
      };
    }
    case 'decimal': {
      const fileScale = decimalScaleOf(node.element) ?? 0;
      const shift = type.scale - fileScale;
      if (shift < 0) throw new DeltaTableError(`column ${path}: the data file's scale ${fileScale} exceeds the table's ${type.scale}`);
      const factor = 10n ** BigInt(shift);
      return (raw) => {
        if (raw === null || raw === undefined) return null;
        let unscaled: bigint;
        if (raw instanceof Uint8Array) unscaled = bigintFromBytes(raw);
        else if (typeof raw === 'bigint') unscaled = raw;
        else if (typeof raw === 'number' && Number.isInteger(raw)) unscaled = BigInt(raw);
        else throw new DeltaTableError(`column ${path}: the data file stores no exact decimal (${typeof raw})`);
        return formatDecimal(unscaled * factor, type.scale);
      };
    }
    case 'primitive':
      return primitiveConverter(type.name, path);
  }
}

function primitiveConverter(name: string, path: string): Converter {
  const nullable = (f: (raw: unknown) => DeltaValue): Converter => (raw) => (raw === null || raw === undefined ? null : f(raw));
  switch (name) {
    case 'string': return nullable((raw) => (raw instanceof Uint8Array ? utf8.decode(raw) : String(raw)));
    case 'binary': return nullable((raw) => (raw instanceof Uint8Array ? raw : new Uint8Array(Buffer.from(String(raw)))));
    case 'boolean': return nullable((raw) => Boolean(raw));
    case 'byte': case 'short': case 'integer': case 'float': case 'double':
      return nullable((raw) => Number(raw));
    case 'long': return nullable((raw) => (typeof raw === 'bigint' ? raw : BigInt(raw as number)));
    case 'date': return nullable((raw) => formatDate(Number(raw)));
    case 'timestamp': case 'timestamp_ntz': {
      const utc = name === 'timestamp';
      // A number is a DATE column of a file written before date -> timestamp_ntz widening.
      return nullable((raw) => formatTimestampMicros(typeof raw === 'bigint' ? raw : BigInt(raw as number) * 86_400_000_000n, utc));
    }
    case 'void': return () => null;
    default: throw new DeltaTableError(`column ${path}: cannot read type ${name}`);
  }
}
