/**
 * Table rows (exact {@link TableValue}s) as Arrow columns, built buffer by buffer so that no value
 * passes through a JavaScript double: longs from bigints into Int64, decimals from their text into
 * Decimal128 at the schema's precision and scale, dates into Date32 days, timestamps into
 * microseconds (UTC-adjusted for `timestamp`, without a zone for `timestamp_ntz`). Structs, arrays
 * and maps become Arrow Struct, List and Map columns. A value of the wrong kind, or a null in a
 * field the schema says is not nullable, fails naming the column and the row.
 */
import { makeData, type Binary, type Bool, type Data, type Decimal, type List, type Null, type Struct, type Utf8 } from 'apache-arrow';
import { typeName, type DeltaType } from '../delta/schema';
import { parseDateDays, parseDecimalUnscaled } from '../delta/values';
import type { TableRow, TableSchema } from '../table-reader';
import type { TableValue } from '../values';
import { arrowTypeOf, ParquetWriteError } from './arrow-types';
import { fail, longOf, parsed, smallIntegerOf, textOf, timestampOf, type At } from './value-parsers';

/** Whether a slot may be null: a field's nullability, or per row (a non-nullable field of a struct may be null where its struct is). */
type Nullable = boolean | ((index: number) => boolean);

/** Validity bits (1 = present) and the null count; a null where `nullable` is false fails. */
function validity(values: TableValue[], nullable: Nullable, at: At, type: DeltaType): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null || v === undefined) {
      if (nullable !== true && (nullable === false || !nullable(i))) throw new ParquetWriteError(`${at(i)}: null in a field that is not nullable (${typeName(type)} not null)`);
      nullCount++;
    } else {
      nullBitmap[i >> 3]! |= 1 << (i & 7);
    }
  });
  return { nullBitmap, nullCount };
}

const tooLarge = (path: string) => new ParquetWriteError(`column ${path}: a row group holds over 2 GiB of values, beyond Arrow's 32-bit offsets. Fix: write smaller row groups (rowGroupRows).`);

/** Offsets and UTF-8 bytes of strings, encoded straight into one buffer. */
function utf8Column(values: TableValue[], at: At, type: DeltaType, path: string) {
  const valueOffsets = new Int32Array(values.length + 1);
  let total = 0;
  values.forEach((v, i) => {
    if (v !== null && v !== undefined) total += Buffer.byteLength(textOf(v, at, i, type), 'utf8');
    if (total > 0x7fffffff) throw tooLarge(path);
    valueOffsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  values.forEach((v, i) => { if (typeof v === 'string') buffer.write(v, valueOffsets[i]!, 'utf8'); });
  return { valueOffsets, data };
}

/** Offsets and bytes of binary values. */
function variableWidth(values: TableValue[], bytesOf: (v: TableValue, i: number) => Uint8Array, path: string) {
  const valueOffsets = new Int32Array(values.length + 1);
  const parts: Uint8Array[] = [];
  let total = 0;
  values.forEach((v, i) => {
    if (v !== null && v !== undefined) {
      const bytes = bytesOf(v, i);
      parts.push(bytes);
      total += bytes.length;
      if (total > 0x7fffffff) throw tooLarge(path);
    }
    valueOffsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return { valueOffsets, data };
}


/** One Arrow column of `values` of `type` (`path` names it in errors, `row` numbers the rows). */
export function columnData(type: DeltaType, values: TableValue[], nullable: Nullable, path: string, row: At = (i) => `row ${i}`): Data {
  const at: At = (i) => `column ${path}, ${row(i)}`;
  const arrowType = arrowTypeOf(type, path);
  const length = values.length;
  const { nullBitmap, nullCount } = validity(values, nullable, at, type);
  const present = (fill: (v: TableValue, i: number) => void) => values.forEach((v, i) => { if (v !== null && v !== undefined) fill(v, i); });
  const fixed = <A extends { [i: number]: number | bigint }>(data: A, of: (v: TableValue, i: number) => number | bigint): Data => {
    present((v, i) => { data[i] = of(v, i); });
    return makeData({ type: arrowType, length, nullCount, nullBitmap, data } as never);
  };
  switch (type.kind) {
    case 'primitive':
      switch (type.name) {
        case 'long': return fixed(new BigInt64Array(length), (v, i) => longOf(v, at, i, type));
        case 'integer': return fixed(new Int32Array(length), (v, i) => smallIntegerOf(v, 32, at, i, type));
        case 'short': return fixed(new Int16Array(length), (v, i) => smallIntegerOf(v, 16, at, i, type));
        case 'byte': return fixed(new Int8Array(length), (v, i) => smallIntegerOf(v, 8, at, i, type));
        case 'float': return fixed(new Float32Array(length), (v, i) => (typeof v === 'number' ? v : fail(at(i), type, v)));
        case 'double': return fixed(new Float64Array(length), (v, i) => (typeof v === 'number' ? v : fail(at(i), type, v)));
        case 'date': return fixed(new Int32Array(length), (v, i) => parsed(v, at, i, type, parseDateDays));
        case 'timestamp':
        case 'timestamp_ntz':
          return fixed(new BigInt64Array(length), (v, i) => timestampOf(v, at, i, type));
        case 'boolean': {
          const data = new Uint8Array(Math.ceil(length / 8));
          present((v, i) => {
            if (typeof v !== 'boolean') fail(at(i), type, v);
            if (v) data[i >> 3]! |= 1 << (i & 7);
          });
          return makeData({ type: arrowType as Bool, length, nullCount, nullBitmap, data });
        }
        case 'string':
          return makeData({ type: arrowType as Utf8, length, nullCount, nullBitmap, ...utf8Column(values, at, type, path) });
        case 'binary':
          return makeData({ type: arrowType as Binary, length, nullCount, nullBitmap, ...variableWidth(values, (v, i) => (v instanceof Uint8Array ? v : fail(at(i), type, v)), path) });
        case 'void':
          present((v, i) => fail(at(i), type, v, 'a void column holds only nulls'));
          return makeData({ type: arrowType as Null, length });
      }
      break;
    case 'decimal': {
      const limit = 10n ** BigInt(type.precision);
      const data = new Uint32Array(length * 4);
      present((v, i) => {
        const unscaled = parsed(v, at, i, type, (text) => parseDecimalUnscaled(text, type.scale));
        if (unscaled >= limit || unscaled <= -limit) fail(at(i), type, v, `more than ${type.precision} digits`);
        const bits = BigInt.asUintN(128, unscaled); // two's complement, little-endian 32-bit words
        for (let w = 0; w < 4; w++) data[i * 4 + w] = Number((bits >> BigInt(32 * w)) & 0xffffffffn);
      });
      return makeData({ type: arrowType as Decimal, length, nullCount, nullBitmap, data });
    }
    case 'struct': {
      const children = type.fields.map((f) => columnData(f.type, values.map((v, i) => {
        if (v === null || v === undefined) return null;
        if (typeof v !== 'object' || v instanceof Uint8Array || Array.isArray(v) || v instanceof Map) return fail(at(i), type, v);
        return (v as Record<string, TableValue>)[f.name] ?? null;
      }), f.nullable || ((i) => values[i] === null || values[i] === undefined), `${path}.${f.name}`, row));
      return makeData({ type: arrowType as Struct, length, nullCount, nullBitmap, children });
    }
    case 'array':
    case 'map': {
      const valueOffsets = new Int32Array(length + 1);
      const items: TableValue[][] = [];
      values.forEach((v, i) => {
        let entries: TableValue[] = [];
        if (v !== null && v !== undefined) {
          if (type.kind === 'array') entries = Array.isArray(v) ? v : fail(at(i), type, v);
          else if (v instanceof Map) entries = [...v].map(([key, value]) => ({ key, value }));
          else if (typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)) entries = Object.entries(v).map(([key, value]) => ({ key, value }));
          else fail(at(i), type, v);
        }
        items.push(entries);
        valueOffsets[i + 1] = valueOffsets[i]! + entries.length;
      });
      const flat = items.flat();
      const child = type.kind === 'array'
        ? columnData(type.elementType, flat, type.containsNull, `${path}.element`, (j) => `${row(indexOf(valueOffsets, j))}`)
        : columnData({ kind: 'struct', fields: [
          { name: 'key', type: type.keyType, nullable: false, metadata: {}, physicalName: 'key' },
          { name: 'value', type: type.valueType, nullable: type.valueContainsNull, metadata: {}, physicalName: 'value' },
        ] }, flat, false, path, (j) => `${row(indexOf(valueOffsets, j))}`);
      return makeData({ type: arrowType as List, length, nullCount, nullBitmap, valueOffsets, child } as never);
    }
  }
  throw new ParquetWriteError(`column ${path}: type ${typeName(type)} has no Parquet mapping`);
}

/** The row whose list holds flattened item `j` (for messages only). */
function indexOf(offsets: Int32Array, j: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= j) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The Arrow columns of `rows` under `schema`, one per top-level column; `first` numbers the rows in messages. */
export function columnsOfRows(schema: TableSchema, rows: TableRow[], first = 0): Data[] {
  return schema.fields.map((f) => columnData(f.type, rows.map((r) => r[f.name] ?? null), f.nullable, f.name, (i) => `row ${first + i}`));
}
