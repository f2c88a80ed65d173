/**
 * Avro schemas as table types (the Delta type system, tables/table-reader.ts), avsc types to
 * decode with, and converters from avsc's values to exact {@link TableValue}s.
 *
 * Types: null -> void; boolean; int -> integer; long -> long (a bigint always: avsc's long is
 * replaced by a BigInt one, so values beyond 2^53 stay exact); float; double; bytes and fixed ->
 * binary; string and enum -> string; record -> struct; array; map (string keys). A union of
 * null and one type is that type, nullable; a union of more types is a struct of `member0`,
 * `member1`, ... (as Spark reads them), the one that holds the value set, the others null.
 * Logical types: decimal (bytes or fixed) -> decimal(p,s), exact; date -> date;
 * timestamp-millis/-micros/-nanos -> timestamp (UTC); local-timestamp-* -> timestamp_ntz;
 * uuid -> string; time-millis -> integer; time-micros -> long (the time of day as a count).
 * A recursive record cannot be a table column and fails.
 */
import * as avro from 'avsc';
import type { DeltaField, DeltaType } from '../delta/schema';
import { bigintFromBytes, formatDate, formatDecimal, formatTimestampMicros, toMicros, type TableValue } from '../values';
import { AvroSchemaError } from './errors';

/** avsc's long replaced by one of bigints (avsc's own throws beyond 2^53). */
export const BIGINT_LONG = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (v: unknown) => BigInt(v as number | string | bigint),
  toJSON: (n: bigint) => (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : String(n)),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

/** An avsc typeHook giving every `long` (bare or `{ type: 'long' }`) as {@link BIGINT_LONG}. */
export function bigintLongs(schema: unknown): avro.Type | undefined {
  return schema === 'long' || (schema !== null && typeof schema === 'object' && (schema as { type?: unknown }).type === 'long') ? BIGINT_LONG : undefined;
}

/** The avsc type of a schema: longs as bigints, every union wrapped (`{ branch: value }`). */
export function avscType(schema: unknown, where: string): avro.Type {
  try {
    return avro.Type.forSchema(schema as avro.Schema, {
      wrapUnions: true,
      typeHook: bigintLongs,
    });
  } catch (err) {
    throw new AvroSchemaError(`${where}: invalid Avro schema: ${(err as Error).message}`);
  }
}

/** A table column or field with the converter of its values. */
interface Node {
  type: DeltaType;
  nullable: boolean;
  convert: (raw: unknown) => TableValue;
}

/** The table fields of a record schema and the converter of its records, walked together with its avsc type. */
export function avroRecordShape(schema: unknown, type: avro.Type, where: string): { fields: DeltaField[]; convert: (raw: unknown) => Record<string, TableValue> } {
  const walker = new Walker(where);
  const node = walker.node(schema, type, '', '');
  if (node.type.kind !== 'struct') throw new AvroSchemaError(`${where}: the schema is not a record (a table's rows are records)`);
  return { fields: node.type.fields, convert: node.convert as (raw: unknown) => Record<string, TableValue> };
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

class Walker {
  /** Named types seen so far, by full name (a later reference reuses them). */
  private readonly named = new Map<string, Record<string, unknown>>();
  /** Records being walked: a reference to one of these is recursion. */
  private readonly open = new Set<string>();

  constructor(private readonly where: string) {}

  private fail(path: string, why: string): never {
    throw new AvroSchemaError(`${this.where}: ${path === '' ? 'the schema' : `column ${path}`}: ${why}`);
  }

  private fullName(name: string, namespace: string): string {
    return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
  }

  node(schema: unknown, type: avro.Type, namespace: string, path: string): Node {
    if (Array.isArray(schema)) return this.union(schema, type, namespace, path);
    if (typeof schema === 'string') {
      if (PRIMITIVES.has(schema)) return this.node({ type: schema }, type, namespace, path);
      const full = this.named.get(this.fullName(schema, namespace)) ?? this.named.get(schema);
      if (!full) this.fail(path, `unknown type ${schema}`);
      const name = this.fullName(String(full.name), String(full.namespace ?? namespace));
      if (this.open.has(name)) this.fail(path, `record ${name} is recursive, which a table column cannot be`);
      return this.node(full, type, String(full.namespace ?? namespace), path);
    }
    if (schema === null || typeof schema !== 'object') this.fail(path, `invalid type ${JSON.stringify(schema)}`);
    const s = schema as Record<string, unknown>;
    if (typeof s.type === 'object' && s.type !== null) return this.node(s.type, type, namespace, path);
    const logical = typeof s.logicalType === 'string' ? s.logicalType : undefined;
    const nullable = (convert: (raw: unknown) => TableValue) => (raw: unknown): TableValue => (raw === null || raw === undefined ? null : convert(raw));
    const leaf = (t: DeltaType, convert: (raw: unknown) => TableValue): Node => ({ type: t, nullable: false, convert: nullable(convert) });
    switch (s.type) {
      case 'null': return { type: { kind: 'primitive', name: 'void' }, nullable: true, convert: () => null };
      case 'boolean': return leaf({ kind: 'primitive', name: 'boolean' }, (raw) => Boolean(raw));
      case 'int':
        if (logical === 'date') return leaf({ kind: 'primitive', name: 'date' }, (raw) => formatDate(Number(raw)));
        return leaf({ kind: 'primitive', name: 'integer' }, (raw) => Number(raw));
      case 'long': {
        const big = (raw: unknown): bigint => (typeof raw === 'bigint' ? raw : BigInt(raw as number));
        const stamp = /^(local-)?timestamp-(millis|micros|nanos)$/.exec(logical ?? '');
        if (stamp) {
          const utc = stamp[1] === undefined;
          const unit = stamp[2] as 'millis' | 'micros' | 'nanos';
          return leaf({ kind: 'primitive', name: utc ? 'timestamp' : 'timestamp_ntz' }, (raw) => formatTimestampMicros(toMicros(big(raw), unit), utc));
        }
        return leaf({ kind: 'primitive', name: 'long' }, big);
      }
      case 'float': return leaf({ kind: 'primitive', name: 'float' }, (raw) => Number(raw));
      case 'double': return leaf({ kind: 'primitive', name: 'double' }, (raw) => Number(raw));
      case 'string': return leaf({ kind: 'primitive', name: 'string' }, (raw) => String(raw));
      case 'bytes': case 'fixed': {
        if (s.type === 'fixed') this.define(s, namespace, path);
        if (logical === 'decimal') {
          const precision = Number(s.precision);
          const scale = Number(s.scale ?? 0);
          if (!Number.isInteger(precision) || precision < 1 || !Number.isInteger(scale) || scale < 0 || scale > precision) this.fail(path, `decimal with precision ${String(s.precision)} and scale ${String(s.scale)}`);
          return leaf({ kind: 'decimal', precision, scale }, (raw) => formatDecimal(bigintFromBytes(raw as Uint8Array), scale));
        }
        return leaf({ kind: 'primitive', name: 'binary' }, (raw) => new Uint8Array(raw as Uint8Array));
      }
      case 'enum':
        this.define(s, namespace, path);
        return leaf({ kind: 'primitive', name: 'string' }, (raw) => String(raw));
      case 'array': {
        const items = this.node(s.items, (type as unknown as { itemsType: avro.Type }).itemsType, namespace, `${path}[]`);
        return leaf({ kind: 'array', elementType: items.type, containsNull: items.nullable }, (raw) => (raw as unknown[]).map(items.convert));
      }
      case 'map': {
        const values = this.node(s.values, (type as unknown as { valuesType: avro.Type }).valuesType, namespace, `${path}{}`);
        return leaf(
          { kind: 'map', keyType: { kind: 'primitive', name: 'string' }, valueType: values.type, valueContainsNull: values.nullable },
          (raw) => new Map<TableValue, TableValue>(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, values.convert(v)])),
        );
      }
      case 'record': case 'error': {
        const full = this.define(s, namespace, path);
        const inner = String(s.namespace ?? (String(s.name).includes('.') ? String(s.name).slice(0, String(s.name).lastIndexOf('.')) : namespace));
        if (!Array.isArray(s.fields)) this.fail(path, `record ${full} has no fields`);
        const avscFields = (type as unknown as { fields: Array<{ name: string; type: avro.Type }> }).fields;
        this.open.add(full);
        const parts = (s.fields as Array<Record<string, unknown>>).map((f, i) => {
          const name = String(f.name);
          const avscField = avscFields[i];
          if (!avscField || avscField.name !== name) this.fail(path, `field ${name} does not match avsc's record`);
          const child = this.node(f.type, avscField.type, inner, path === '' ? name : `${path}.${name}`);
          return { name, child };
        });
        this.open.delete(full);
        const fields: DeltaField[] = parts.map(({ name, child }) => ({ name, type: child.type, nullable: child.nullable, metadata: {}, physicalName: name }));
        return leaf({ kind: 'struct', fields }, (raw) => {
          const record = raw as Record<string, unknown>;
          const out: Record<string, TableValue> = {};
          for (const { name, child } of parts) out[name] = child.convert(record[name]);
          return out;
        });
      }
      default:
        if (typeof s.type === 'string' && !PRIMITIVES.has(s.type)) return this.node(s.type, type, namespace, path);
        return this.fail(path, `unknown type ${JSON.stringify(s.type)}`);
    }
  }

  private define(s: Record<string, unknown>, namespace: string, path: string): string {
    if (typeof s.name !== 'string') this.fail(path, `a named type without a name`);
    const full = this.fullName(s.name, typeof s.namespace === 'string' ? s.namespace : namespace);
    this.named.set(full, s);
    return full;
  }

  /** A union: wrapped by avsc as `{ branchName: value }`. */
  private union(branches: unknown[], type: avro.Type, namespace: string, path: string): Node {
    const avscBranches = (type as unknown as { types: avro.Type[] }).types;
    const names = avscBranches.map((t) => (t as unknown as { branchName: string }).branchName);
    const nodes = branches.map((b, i) => (isNull(b) ? undefined : this.node(b, avscBranches[i] as avro.Type, namespace, path)));
    const present = nodes.flatMap((n, i) => (n ? [{ node: n, name: names[i] as string }] : []));
    if (present.length === 0) return { type: { kind: 'primitive', name: 'void' }, nullable: true, convert: () => null };
    const unwrap = (raw: unknown): [string, unknown] | undefined => {
      if (raw === null || raw === undefined) return undefined;
      const key = Object.keys(raw as object)[0] as string;
      return [key, (raw as Record<string, unknown>)[key]];
    };
    if (present.length === 1) {
      const only = present[0] as { node: Node; name: string };
      return { type: only.node.type, nullable: true, convert: (raw) => { const v = unwrap(raw); return v ? only.node.convert(v[1]) : null; } };
    }
    const fields: DeltaField[] = present.map((p, i) => ({ name: `member${i}`, type: p.node.type, nullable: true, metadata: {}, physicalName: `member${i}` }));
    return {
      type: { kind: 'struct', fields }, nullable: nodes.length > present.length,
      convert: (raw) => {
        const v = unwrap(raw);
        if (!v) return null;
        const out: Record<string, TableValue> = {};
        present.forEach((p, i) => { out[`member${i}`] = p.name === v[0] ? p.node.convert(v[1]) : null; });
        return out;
      },
    };
  }
}

function isNull(schema: unknown): boolean {
  return schema === 'null' || (schema !== null && typeof schema === 'object' && !Array.isArray(schema) && (schema as { type?: unknown }).type === 'null');
}

/**
 * Checks what avsc's resolution does not: that a field's logical type means the same in the
 * writer's schema as in the table's, where the bytes alone would resolve (a decimal's scale, a
 * timestamp's unit). The specification matches decimals only by equal scale and precision;
 * a difference would give wrong values, so it fails naming the field and both types.
 */
export function checkLogicalTypes(reader: unknown, writer: unknown, where: string): void {
  const readerNames = new Map<string, Record<string, unknown>>();
  const writerNames = new Map<string, Record<string, unknown>>();
  const seen = new Set<string>();
  const walk = (r: unknown, w: unknown, path: string): void => {
    const rs = deref(r, readerNames);
    const ws = deref(w, writerNames);
    if (Array.isArray(rs) || Array.isArray(ws)) {
      const rb = Array.isArray(rs) ? rs.filter((b) => !isNull(b)) : [rs];
      const wb = Array.isArray(ws) ? ws.filter((b) => !isNull(b)) : [ws];
      if (rb.length === 1 && wb.length === 1) walk(rb[0], wb[0], path);
      return;
    }
    if (!rs || !ws) return;
    const rl = logicalOf(rs);
    const wl = logicalOf(ws);
    if (rl !== wl && (rl !== '' || wl !== '') && (rl.startsWith('decimal') || wl.startsWith('decimal') || (rl !== '' && wl !== ''))) {
      throw new AvroSchemaError(`${where}: field ${path || '(the record)'} is ${wl || String(ws.type)} in this file but ${rl || String(rs.type)} in the table's schema; Avro does not resolve one to the other`);
    }
    if (rs.type === 'record' && ws.type === 'record' && Array.isArray(rs.fields) && Array.isArray(ws.fields)) {
      const key = `${String(rs.name)}/${String(ws.name)}/${path}`;
      if (seen.has(key)) return;
      seen.add(key);
      for (const rf of rs.fields as Array<Record<string, unknown>>) {
        const aliases = Array.isArray(rf.aliases) ? rf.aliases as string[] : [];
        const wf = (ws.fields as Array<Record<string, unknown>>).find((f) => f.name === rf.name || aliases.includes(String(f.name)));
        if (wf) walk(rf.type, wf.type, path === '' ? String(rf.name) : `${path}.${String(rf.name)}`);
      }
    } else if (rs.type === 'array' && ws.type === 'array') {
      walk(rs.items, ws.items, `${path}[]`);
    } else if (rs.type === 'map' && ws.type === 'map') {
      walk(rs.values, ws.values, `${path}{}`);
    }
  };
  walk(reader, writer, '');
}

/** A schema with references and nested `{type: {...}}` resolved (named types recorded as met, by short and full name). */
function deref(schema: unknown, names: Map<string, Record<string, unknown>>): Record<string, unknown> | unknown[] | undefined {
  if (Array.isArray(schema)) return schema;
  if (typeof schema === 'string') {
    return PRIMITIVES.has(schema) ? { type: schema } : names.get(schema) ?? names.get(schema.slice(schema.lastIndexOf('.') + 1));
  }
  if (schema === null || typeof schema !== 'object') return undefined;
  const s = schema as Record<string, unknown>;
  if (typeof s.type === 'object' && s.type !== null) return deref(s.type, names);
  if (typeof s.name === 'string' && ['record', 'error', 'enum', 'fixed'].includes(String(s.type))) {
    names.set(s.name, s);
    if (typeof s.namespace === 'string') names.set(`${s.namespace}.${s.name}`, s);
  }
  return s;
}

/** A logical type with what changes its values' meaning: `decimal(20,4)`, `timestamp-micros`, or '' for none. */
function logicalOf(s: Record<string, unknown>): string {
  const logical = typeof s.logicalType === 'string' ? s.logicalType : '';
  if (logical === 'decimal') return `decimal(${String(s.precision)},${String(s.scale ?? 0)})`;
  return logical;
}
