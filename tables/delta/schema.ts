/**
 * The table schema (PROTOCOL.md "Schema Serialization Format") as typed fields, with nested
 * structs, arrays and maps, and each field's column mapping (physical name, field id).
 */
import { DeltaTableError, DeltaUnsupportedFeatureError } from './errors';

/** The primitive types this reader reads. */
export type DeltaPrimitiveName =
  | 'string' | 'long' | 'integer' | 'short' | 'byte' | 'float' | 'double' | 'boolean'
  | 'binary' | 'date' | 'timestamp' | 'timestamp_ntz' | 'void';

/** A Delta data type. */
export type DeltaType =
  | { kind: 'primitive'; name: DeltaPrimitiveName }
  | { kind: 'decimal'; precision: number; scale: number }
  | DeltaStructType
  | { kind: 'array'; elementType: DeltaType; containsNull: boolean }
  | { kind: 'map'; keyType: DeltaType; valueType: DeltaType; valueContainsNull: boolean };

/** A struct: the table's schema or a struct column. */
export interface DeltaStructType {
  kind: 'struct';
  fields: DeltaField[];
}

/** A column or nested field. */
export interface DeltaField {
  /** The logical (display) name. */
  name: string;
  type: DeltaType;
  nullable: boolean;
  /** The field's metadata as in the schema (column mapping, type changes, comments). */
  metadata: Record<string, unknown>;
  /** The name in data files and in partition values and statistics: `delta.columnMapping.physicalName`, else the name. */
  physicalName: string;
  /** `delta.columnMapping.id`, the Parquet field_id in id mode. */
  fieldId?: number;
}

/** How data files name columns (table property `delta.columnMapping.mode`). */
export type ColumnMappingMode = 'none' | 'name' | 'id';

const PRIMITIVES = new Set<string>(['string', 'long', 'integer', 'short', 'byte', 'float', 'double', 'boolean', 'binary', 'date', 'timestamp', 'timestamp_ntz', 'void']);

/** Parses `metaData.schemaString`. Types this reader cannot read fail naming the feature or type. */
export function parseSchema(schemaString: string): DeltaStructType {
  let json: unknown;
  try {
    json = JSON.parse(schemaString);
  } catch (err) {
    throw new DeltaTableError(`the schema is not JSON: ${(err as Error).message}`);
  }
  const type = typeOf(json, 'schema');
  if (type.kind !== 'struct') throw new DeltaTableError('the schema is not a struct');
  return type;
}

function typeOf(t: unknown, path: string): DeltaType {
  if (typeof t === 'string') {
    if (PRIMITIVES.has(t)) return { kind: 'primitive', name: t as DeltaPrimitiveName };
    const decimal = /^decimal\(\s*(\d+)\s*,\s*(-?\d+)\s*\)$/.exec(t);
    if (decimal) return { kind: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2]) };
    if (t === 'decimal') return { kind: 'decimal', precision: 10, scale: 0 };
    if (t === 'variant') throw new DeltaUnsupportedFeatureError('variantType', `column ${path} is of type variant`);
    if (/^(geometry|geography)/.test(t)) throw new DeltaUnsupportedFeatureError('geospatial', `column ${path} is of type ${t}`);
    throw new DeltaUnsupportedFeatureError(`type ${t}`, `column ${path}`);
  }
  if (t === null || typeof t !== 'object') throw new DeltaTableError(`the schema has an invalid type at ${path}`);
  const o = t as Record<string, unknown>;
  switch (o.type) {
    case 'struct': {
      if (!Array.isArray(o.fields)) throw new DeltaTableError(`struct at ${path} has no fields`);
      return { kind: 'struct', fields: o.fields.map((f) => fieldOf(f, path)) };
    }
    case 'array':
      return { kind: 'array', elementType: typeOf(o.elementType, `${path}.element`), containsNull: o.containsNull !== false };
    case 'map':
      return {
        kind: 'map', keyType: typeOf(o.keyType, `${path}.key`), valueType: typeOf(o.valueType, `${path}.value`),
        valueContainsNull: o.valueContainsNull !== false,
      };
    default:
      throw new DeltaTableError(`the schema has an unknown type ${JSON.stringify(o.type)} at ${path}`);
  }
}

function fieldOf(f: unknown, parent: string): DeltaField {
  if (f === null || typeof f !== 'object') throw new DeltaTableError(`invalid field in ${parent}`);
  const o = f as Record<string, unknown>;
  if (typeof o.name !== 'string') throw new DeltaTableError(`a field of ${parent} has no name`);
  const path = parent === 'schema' ? o.name : `${parent}.${o.name}`;
  const metadata = o.metadata !== null && typeof o.metadata === 'object' ? o.metadata as Record<string, unknown> : {};
  const physical = metadata['delta.columnMapping.physicalName'];
  const id = metadata['delta.columnMapping.id'];
  return {
    name: o.name, type: typeOf(o.type, path), nullable: o.nullable !== false, metadata,
    physicalName: typeof physical === 'string' ? physical : o.name,
    fieldId: typeof id === 'number' ? id : undefined,
  };
}

/** The schema with every field's physical name as its name (the shape of data files, statistics and partition values). */
export function physicalSchema(schema: DeltaStructType): DeltaStructType {
  const map = (t: DeltaType): DeltaType => {
    switch (t.kind) {
      case 'struct': return { kind: 'struct', fields: t.fields.map((f) => ({ ...f, name: f.physicalName, type: map(f.type) })) };
      case 'array': return { ...t, elementType: map(t.elementType) };
      case 'map': return { ...t, keyType: map(t.keyType), valueType: map(t.valueType) };
      default: return t;
    }
  };
  return map(schema) as DeltaStructType;
}

/** Renders a type as the schema writes it (`long`, `decimal(10,2)`, `struct<...>`), for messages. */
export function typeName(t: DeltaType): string {
  switch (t.kind) {
    case 'primitive': return t.name;
    case 'decimal': return `decimal(${t.precision},${t.scale})`;
    case 'struct': return `struct<${t.fields.map((f) => `${f.name}:${typeName(f.type)}`).join(',')}>`;
    case 'array': return `array<${typeName(t.elementType)}>`;
    case 'map': return `map<${typeName(t.keyType)},${typeName(t.valueType)}>`;
  }
}

/** Every field with its path, depth first (for checks over the whole schema). */
export function* allFields(t: DeltaType, path = ''): Generator<{ field: DeltaField; path: string }> {
  if (t.kind === 'struct') {
    for (const f of t.fields) {
      const p = path === '' ? f.name : `${path}.${f.name}`;
      yield { field: f, path: p };
      yield* allFields(f.type, p);
    }
  } else if (t.kind === 'array') {
    yield* allFields(t.elementType, `${path}.element`);
  } else if (t.kind === 'map') {
    yield* allFields(t.keyType, `${path}.key`);
    yield* allFields(t.valueType, `${path}.value`);
  }
}
