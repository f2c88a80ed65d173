/**
 * A Parquet file's schema as table types (the Delta type system, tables/table-reader.ts), from
 * its footer alone: physical types with their logical (or legacy converted) annotations, and
 * nested groups (structs, 3-level and legacy lists, maps).
 */
import type { SchemaTree } from 'hyparquet';
import { decimalScaleOf, isDateElement } from '../parquet';
import type { DeltaField, DeltaType } from '../delta/schema';
import { typeName } from '../delta/schema';

/** A schema the reader cannot read: the column and why. */
export class ParquetSchemaError extends Error {
  override readonly name = 'ParquetSchemaError';
}

/** The table fields of a file's top-level columns. */
export function parquetFields(root: SchemaTree, file: string): DeltaField[] {
  return root.children.map((child) => fieldOf(child, file, child.element.name));
}

/** A table field (no column mapping: the physical name is the name). */
export function plainField(name: string, type: DeltaType, nullable: boolean): DeltaField {
  return { name, type, nullable, metadata: {}, physicalName: name };
}

function fieldOf(node: SchemaTree, file: string, path: string): DeltaField {
  const e = node.element;
  let type = typeOf(node, file, path);
  // A repeated field outside a LIST annotation is a list of it (the legacy 1-level list).
  if (e.repetition_type === 'REPEATED') type = { kind: 'array', elementType: type, containsNull: false };
  return plainField(e.name, type, e.repetition_type !== 'REQUIRED');
}

function typeOf(node: SchemaTree, file: string, path: string): DeltaType {
  const e = node.element;
  const logical = e.logical_type?.type;
  if (node.children.length > 0 || e.type === undefined) {
    if (logical === 'LIST' || e.converted_type === 'LIST') return listOf(node, file, path);
    if (logical === 'MAP' || e.converted_type === 'MAP' || e.converted_type === 'MAP_KEY_VALUE') return mapOf(node, file, path);
    return { kind: 'struct', fields: node.children.map((c) => fieldOf(c, file, `${path}.${c.element.name}`)) };
  }
  const scale = decimalScaleOf(e);
  if (scale !== undefined) return { kind: 'decimal', precision: e.precision ?? 38, scale };
  if (isDateElement(e)) return { kind: 'primitive', name: 'date' };
  const lt = e.logical_type;
  if (lt?.type === 'TIMESTAMP') return { kind: 'primitive', name: lt.isAdjustedToUTC ? 'timestamp' : 'timestamp_ntz' };
  if (e.converted_type === 'TIMESTAMP_MILLIS' || e.converted_type === 'TIMESTAMP_MICROS' || e.type === 'INT96') return { kind: 'primitive', name: 'timestamp' };
  const unsupported = (what: string): never => {
    throw new ParquetSchemaError(`${file}: column ${path} is of type ${what}, which the Parquet reader does not read`);
  };
  if (lt && ['VARIANT', 'GEOMETRY', 'GEOGRAPHY', 'FLOAT16', 'INTERVAL', 'TIME'].includes(lt.type)) unsupported(lt.type);
  if (e.converted_type === 'INTERVAL' || e.converted_type === 'TIME_MILLIS' || e.converted_type === 'TIME_MICROS') unsupported(e.converted_type);
  const int = lt?.type === 'INTEGER' ? lt : undefined;
  const ct = e.converted_type;
  switch (e.type) {
    case 'BOOLEAN': return { kind: 'primitive', name: 'boolean' };
    case 'INT32':
      if ((int && int.bitWidth === 8 && int.isSigned) || ct === 'INT_8') return { kind: 'primitive', name: 'byte' };
      if ((int && int.bitWidth === 16 && int.isSigned) || ct === 'INT_16') return { kind: 'primitive', name: 'short' };
      if ((int && int.bitWidth === 32 && !int.isSigned) || ct === 'UINT_32') return { kind: 'primitive', name: 'long' };
      return { kind: 'primitive', name: 'integer' };
    case 'INT64':
      // Unsigned 64-bit values may exceed a long: decimal(20,0) holds them all exactly.
      if ((int && !int.isSigned) || ct === 'UINT_64') return { kind: 'decimal', precision: 20, scale: 0 };
      return { kind: 'primitive', name: 'long' };
    case 'FLOAT': return { kind: 'primitive', name: 'float' };
    case 'DOUBLE': return { kind: 'primitive', name: 'double' };
    case 'BYTE_ARRAY':
      return lt?.type === 'STRING' || lt?.type === 'ENUM' || lt?.type === 'JSON' || ct === 'UTF8' || ct === 'ENUM' || ct === 'JSON'
        ? { kind: 'primitive', name: 'string' } : { kind: 'primitive', name: 'binary' };
    case 'FIXED_LEN_BYTE_ARRAY': return { kind: 'primitive', name: 'binary' };
    default: return unsupported(String(e.type));
  }
}

/** A LIST group: `<list> (LIST) { repeated group list { element } }`, or the legacy 2-level forms. */
function listOf(node: SchemaTree, file: string, path: string): DeltaType {
  const repeated = node.children[0];
  if (!repeated || node.children.length !== 1) throw new ParquetSchemaError(`${file}: column ${path} is a LIST without one repeated field`);
  const inner = repeated.children.length === 1 && repeated.element.repetition_type === 'REPEATED' ? repeated.children[0] as SchemaTree : undefined;
  if (inner) {
    const element = fieldOf(inner, file, `${path}.element`);
    return { kind: 'array', elementType: element.type, containsNull: element.nullable };
  }
  // 2-level: the repeated field itself is the element.
  return { kind: 'array', elementType: typeOf(repeated, file, `${path}.element`), containsNull: false };
}

/** A MAP group: `<map> (MAP) { repeated group key_value { key; value } }`. */
function mapOf(node: SchemaTree, file: string, path: string): DeltaType {
  const entry = node.children[0];
  const key = entry?.children[0];
  const value = entry?.children[1];
  if (!entry || !key || !value) throw new ParquetSchemaError(`${file}: column ${path} is a MAP without key and value`);
  const valueField = fieldOf(value, file, `${path}.value`);
  return { kind: 'map', keyType: typeOf(key, file, `${path}.key`), valueType: valueField.type, valueContainsNull: valueField.nullable };
}

/** Whether two types are the same for a table (nullability aside, which merging widens). */
export function sameType(a: DeltaType, b: DeltaType): boolean {
  return typeName(a) === typeName(b);
}
