/**
 * The Arrow types the Parquet writer writes table types as (parquet-rs then maps them onto
 * Parquet's logical types): longs as Int64, decimals as Decimal128 at the schema's precision and
 * scale, dates as Date32, timestamps as microseconds (UTC-adjusted for `timestamp`, no zone for
 * `timestamp_ntz`), structs, lists (item `element`) and maps (`key`, `value`).
 */
import {
  Binary, Bool, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int64, Int8, List, Map_, Null, Schema, Struct,
  TimeUnit, Timestamp, Utf8, type DataType,
} from 'apache-arrow';
import { typeName, type DeltaField, type DeltaType } from '../delta/schema';
import type { TableSchema } from '../table-reader';

/** A schema, type or value the Parquet writer cannot write; names the column and, for a value, the row. */
export class ParquetWriteError extends Error {
  override readonly name = 'ParquetWriteError';
}

/** Decimal128 holds at most 38 digits; Delta's decimals never exceed it. */
const MAX_DECIMAL_PRECISION = 38;

/** The Arrow type of a table type; a type Parquet output cannot hold fails naming the column. */
export function arrowTypeOf(type: DeltaType, path: string): DataType {
  switch (type.kind) {
    case 'primitive':
      switch (type.name) {
        case 'string': return new Utf8();
        case 'long': return new Int64();
        case 'integer': return new Int32();
        case 'short': return new Int16();
        case 'byte': return new Int8();
        case 'float': return new Float32();
        case 'double': return new Float64();
        case 'boolean': return new Bool();
        case 'binary': return new Binary();
        case 'date': return new DateDay();
        case 'timestamp': return new Timestamp(TimeUnit.MICROSECOND, 'UTC');
        case 'timestamp_ntz': return new Timestamp(TimeUnit.MICROSECOND, null);
        case 'void': return new Null();
      }
      break;
    case 'decimal':
      if (type.precision < 1 || type.precision > MAX_DECIMAL_PRECISION || type.scale < 0 || type.scale > type.precision) {
        throw new ParquetWriteError(`column ${path}: ${typeName(type)} cannot be written as a Parquet decimal (precision 1-${MAX_DECIMAL_PRECISION}, scale 0-precision). Fix: leave the column out (--columns).`);
      }
      return new Decimal(type.scale, type.precision, 128);
    case 'struct': return new Struct(type.fields.map((f) => arrowFieldOf(f, `${path}.${f.name}`)));
    case 'array': return new List(new Field('element', arrowTypeOf(type.elementType, `${path}.element`), type.containsNull));
    case 'map': return new Map_(new Field('key_value', new Struct<{ key: DataType; value: DataType }>([
      new Field('key', arrowTypeOf(type.keyType, `${path}.key`), false),
      new Field('value', arrowTypeOf(type.valueType, `${path}.value`), type.valueContainsNull),
    ]), false), false);
  }
  throw new ParquetWriteError(`column ${path}: type ${typeName(type)} has no Parquet mapping. Fix: leave the column out (--columns).`);
}

/** The Arrow field of a table field. */
export function arrowFieldOf(field: DeltaField, path: string): Field {
  return new Field(field.name, arrowTypeOf(field.type, path), field.nullable);
}

/** The Arrow schema of a table schema (its logical column names). */
export function arrowSchemaOf(schema: TableSchema): Schema {
  return new Schema(schema.fields.map((f) => arrowFieldOf(f, f.name)));
}

