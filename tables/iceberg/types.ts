/**
 * Iceberg schemas (the specification's "Schemas and Data Types" and its JSON form, Appendix C)
 * as typed trees with their field ids, and their mapping onto the common table types
 * (tables/table-reader.ts TableSchema, the Delta type system):
 * boolean, int -> integer, long, float, double, decimal(P,S), date, string, binary as they are;
 * timestamp -> timestamp_ntz and timestamptz -> timestamp (microseconds); uuid -> string (its
 * text form); fixed[L] -> binary; time -> long (microseconds of the day, as the Avro reader
 * maps time-micros); struct, list -> array, map. The types of format version 3 (timestamp_ns,
 * timestamptz_ns, variant, geometry, geography, unknown) are refused by name.
 */
import type { DeltaField, DeltaStructType, DeltaType } from '../delta/schema';
import { IcebergTableError, IcebergUnsupportedError } from './errors';
import { arrayOf, int32Of, objectOf } from './json';

/** Iceberg's primitive types that this reader reads, by their JSON names. */
export type IcebergPrimitiveName =
  | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'date' | 'time' | 'timestamp' | 'timestamptz'
  | 'string' | 'uuid' | 'binary';

/** An Iceberg type. */
export type IcebergType =
  | { kind: 'primitive'; name: IcebergPrimitiveName }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'fixed'; length: number }
  | IcebergStructType
  | { kind: 'list'; elementId: number; elementRequired: boolean; element: IcebergType }
  | { kind: 'map'; keyId: number; key: IcebergType; valueId: number; valueRequired: boolean; value: IcebergType };

/** A struct: a schema or a struct column. */
export interface IcebergStructType {
  kind: 'struct';
  fields: IcebergField[];
}

/** A field with its id, the id data files and manifests know it by. */
export interface IcebergField {
  id: number;
  name: string;
  required: boolean;
  type: IcebergType;
}

/** A schema of the table's metadata. */
export interface IcebergSchema extends IcebergStructType {
  schemaId: number;
}

const PRIMITIVES = new Set<string>(['boolean', 'int', 'long', 'float', 'double', 'date', 'time', 'timestamp', 'timestamptz', 'string', 'uuid', 'binary']);
const V3_TYPES = new Set<string>(['timestamp_ns', 'timestamptz_ns', 'variant', 'geometry', 'geography', 'unknown']);

/** Parses one schema of `schemas` (or a v1 table's `schema`). */
export function parseIcebergSchema(json: unknown, where: string): IcebergSchema {
  const o = objectOf(json, 'schema', where);
  const type = typeOf(o, `${where} schema`);
  if (type.kind !== 'struct') throw new IcebergTableError(`${where}: a schema is not a struct`);
  return { ...type, schemaId: o['schema-id'] === undefined ? 0 : int32Of(o['schema-id'], 'schema-id', where) };
}

/** Parses a type of the JSON form. */
export function typeOf(t: unknown, path: string): IcebergType {
  if (typeof t === 'string') {
    if (PRIMITIVES.has(t)) return { kind: 'primitive', name: t as IcebergPrimitiveName };
    const decimal = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(t);
    if (decimal) return { kind: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2]) };
    const fixed = /^fixed\[\s*(\d+)\s*\]$/.exec(t);
    if (fixed) return { kind: 'fixed', length: Number(fixed[1]) };
    const base = t.replace(/\(.*$/, '');
    if (V3_TYPES.has(base)) throw new IcebergUnsupportedError(`type ${t} (format version 3)`, `column ${path}`);
    throw new IcebergUnsupportedError(`type ${t}`, `column ${path}`);
  }
  const o = objectOf(t, path, path);
  switch (o.type) {
    case 'struct':
      return { kind: 'struct', fields: arrayOf(o.fields, 'fields', path).map((f) => fieldOf(f, path)) };
    case 'list':
      return {
        kind: 'list', elementId: int32Of(o['element-id'], 'element-id', path), elementRequired: o['element-required'] === true,
        element: typeOf(o.element, `${path}.element`),
      };
    case 'map':
      return {
        kind: 'map', keyId: int32Of(o['key-id'], 'key-id', path), key: typeOf(o.key, `${path}.key`),
        valueId: int32Of(o['value-id'], 'value-id', path), valueRequired: o['value-required'] === true, value: typeOf(o.value, `${path}.value`),
      };
    default:
      throw new IcebergTableError(`${path}: unknown type ${JSON.stringify(o.type)}`);
  }
}

function fieldOf(f: unknown, parent: string): IcebergField {
  const o = objectOf(f, 'field', parent);
  if (typeof o.name !== 'string') throw new IcebergTableError(`${parent}: a field has no name`);
  const path = parent.endsWith(' schema') ? o.name : `${parent}.${o.name}`;
  if (o['initial-default'] !== undefined || o['write-default'] !== undefined) {
    throw new IcebergUnsupportedError('default values (format version 3)', `column ${path}`);
  }
  return { id: int32Of(o.id, 'id', path), name: o.name, required: o.required === true, type: typeOf(o.type, path) };
}

/** The common table type of an Iceberg type. */
export function tableTypeOf(t: IcebergType): DeltaType {
  switch (t.kind) {
    case 'decimal': return { kind: 'decimal', precision: t.precision, scale: t.scale };
    case 'fixed': return { kind: 'primitive', name: 'binary' };
    case 'struct': return tableStructOf(t);
    case 'list': return { kind: 'array', elementType: tableTypeOf(t.element), containsNull: !t.elementRequired };
    case 'map': return { kind: 'map', keyType: tableTypeOf(t.key), valueType: tableTypeOf(t.value), valueContainsNull: !t.valueRequired };
    case 'primitive':
      switch (t.name) {
        case 'int': return { kind: 'primitive', name: 'integer' };
        case 'time': return { kind: 'primitive', name: 'long' };
        case 'timestamp': return { kind: 'primitive', name: 'timestamp_ntz' };
        case 'timestamptz': return { kind: 'primitive', name: 'timestamp' };
        case 'uuid': return { kind: 'primitive', name: 'string' };
        default: return { kind: 'primitive', name: t.name };
      }
  }
}

/** The common table struct of an Iceberg struct: names, nullability and field ids kept. */
export function tableStructOf(t: IcebergStructType): DeltaStructType {
  return {
    kind: 'struct',
    fields: t.fields.map((f): DeltaField => ({
      name: f.name, type: tableTypeOf(f.type), nullable: !f.required, metadata: { 'iceberg.id': f.id }, physicalName: f.name, fieldId: f.id,
    })),
  };
}

/** Every field of a struct by id, nested ones included. */
export function fieldsById(t: IcebergStructType): Map<number, IcebergField> {
  const out = new Map<number, IcebergField>();
  const walk = (type: IcebergType): void => {
    if (type.kind === 'struct') for (const f of type.fields) { out.set(f.id, f); walk(f.type); }
    else if (type.kind === 'list') walk(type.element);
    else if (type.kind === 'map') { walk(type.key); walk(type.value); }
  };
  walk(t);
  return out;
}
