/**
 * Types a parsed predicate against a table's schema: each column found (exactly, else by a
 * case-insensitive name when only one matches; `.` into struct fields), each literal turned
 * into a key of the column's domain (keys.ts). An unknown column names the columns there are;
 * a literal the column cannot be compared with names the column, its type and the literal.
 *
 * Types: integers and decimals compare with integer and decimal literals, exactly; float and
 * double with numbers; string with 'strings'; boolean with true/false; date, timestamp and
 * timestamp_ntz with DATE '...', TIMESTAMP '...' or a 'string' in either form (a timestamp
 * literal without a zone is UTC for a timestamp column; a timestamp_ntz column takes none).
 * Binary, nested and void columns take only IS [NOT] NULL.
 */
import { typeName, type DeltaField, type DeltaStructType, type DeltaType } from '../delta/schema';
import { formatDate, parseDateDays, parseTimestampMicros } from '../delta/values';
import { PredicateError, type ColumnRef, type CompareOp, type Expr, type Literal } from './ast';
import { MICROS_PER_DAY, type Domain, type Key } from './keys';

/** A column of the table, resolved. */
export interface BoundColumn {
  /** Logical names from the top-level column down. */
  path: string[];
  /** The fields along the path (the last is the column compared). */
  fields: DeltaField[];
  type: DeltaType;
  /** How its values compare; undefined for a column only IS NULL applies to. */
  domain?: Domain;
  /** For the exact domain: the scale keys are at (the column's and the literals', the largest). */
  scale: number;
}

/** A typed predicate. Keys are null for a NULL literal. */
export type Bound =
  | { kind: 'and' | 'or'; left: Bound; right: Bound }
  | { kind: 'not'; expr: Bound }
  | { kind: 'compare'; op: CompareOp; column: BoundColumn; key: Key | null }
  | { kind: 'in'; column: BoundColumn; keys: Array<Key | null> }
  | { kind: 'isNull'; column: BoundColumn; negated: boolean };

/** Types `expr` against `schema`; `location` names the table in messages. */
export function bindPredicate(expr: Expr, schema: DeltaStructType, location: string): Bound {
  switch (expr.kind) {
    case 'and': case 'or':
      return { kind: expr.kind, left: bindPredicate(expr.left, schema, location), right: bindPredicate(expr.right, schema, location) };
    case 'not':
      return { kind: 'not', expr: bindPredicate(expr.expr, schema, location) };
    case 'isNull':
      return { kind: 'isNull', column: resolve(expr.column, schema, location, []), negated: expr.negated };
    case 'compare': {
      const column = resolve(expr.column, schema, location, [expr.literal]);
      return { kind: 'compare', op: expr.op, column, key: keyOfLiteral(expr.literal, column, expr.column.text) };
    }
    case 'in': {
      const column = resolve(expr.column, schema, location, expr.literals);
      return { kind: 'in', column, keys: expr.literals.map((l) => keyOfLiteral(l, column, expr.column.text)) };
    }
  }
}

function findField(fields: DeltaField[], name: string): DeltaField | undefined {
  const exact = fields.find((f) => f.name === name);
  if (exact) return exact;
  const loose = fields.filter((f) => f.name.toLowerCase() === name.toLowerCase());
  return loose.length === 1 ? loose[0] : undefined;
}

function resolve(ref: ColumnRef, schema: DeltaStructType, location: string, literals: Literal[]): BoundColumn {
  const fields: DeltaField[] = [];
  let struct: DeltaStructType = schema;
  for (const [i, name] of ref.path.entries()) {
    const field = findField(struct.fields, name);
    if (!field) {
      const where = i === 0 ? `the table ${location}` : `struct column ${ref.path.slice(0, i).join('.')}`;
      throw new PredicateError(`--where: no column ${ref.path.slice(0, i + 1).join('.')} in ${where} (columns: ${struct.fields.map((f) => f.name).join(', ')})`);
    }
    fields.push(field);
    if (i < ref.path.length - 1) {
      if (field.type.kind !== 'struct') throw new PredicateError(`--where: ${ref.path.slice(0, i + 1).join('.')} is ${typeName(field.type)}, not a struct: "." reads fields of struct columns only`);
      struct = field.type;
    }
  }
  const type = (fields[fields.length - 1] as DeltaField).type;
  const domain = domainOf(type);
  let scale = type.kind === 'decimal' ? type.scale : 0;
  if (domain === 'exact') for (const l of literals) if (l.kind === 'decimal') scale = Math.max(scale, l.scale);
  return { path: fields.map((f) => f.name), fields, type, domain, scale };
}

function domainOf(type: DeltaType): Domain | undefined {
  if (type.kind === 'decimal') return 'exact';
  if (type.kind !== 'primitive') return undefined;
  switch (type.name) {
    case 'byte': case 'short': case 'integer': case 'long': return 'exact';
    case 'float': case 'double': return 'float';
    case 'date': case 'timestamp': case 'timestamp_ntz': return 'time';
    case 'string': return 'string';
    case 'boolean': return 'boolean';
    default: return undefined;
  }
}

function keyOfLiteral(literal: Literal, column: BoundColumn, text: string): Key | null {
  if (literal.kind === 'null') return null;
  const type = typeName(column.type);
  const mismatch = (why: string) => new PredicateError(`--where: column ${text} is ${type}; ${literal.text} ${why}`);
  switch (column.domain) {
    case undefined:
      throw new PredicateError(`--where: column ${text} is ${type}: it can only be tested with IS NULL or IS NOT NULL`);
    case 'exact':
      if (literal.kind === 'integer') return literal.value * 10n ** BigInt(column.scale);
      if (literal.kind === 'decimal') return literal.unscaled * 10n ** BigInt(column.scale - literal.scale);
      throw mismatch('is not a number');
    case 'float':
      if (literal.kind === 'integer' || literal.kind === 'decimal') return Number(literal.text);
      throw mismatch('is not a number');
    case 'string':
      if (literal.kind === 'string') return literal.value;
      throw mismatch('is not a \'string\'');
    case 'boolean':
      if (literal.kind === 'boolean') return literal.value;
      throw mismatch('is not true or false');
    case 'time': {
      if (literal.kind !== 'date' && literal.kind !== 'timestamp' && literal.kind !== 'string') throw mismatch('is not a date or time: write DATE \'2024-01-02\' or TIMESTAMP \'2024-01-02T03:04:05.123456Z\'');
      const ntz = column.type.kind === 'primitive' && column.type.name === 'timestamp_ntz';
      const value = literal.value.trim();
      const isDate = /^[+-]?\d{4,}-\d{1,2}-\d{1,2}$/.test(value);
      if (literal.kind === 'date' && !isDate) throw mismatch('is not a date: write DATE \'YYYY-MM-DD\'');
      if (ntz && /(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value) && !isDate) throw mismatch('has a time zone: a timestamp_ntz column holds times without one, so write the time without a zone');
      try {
        if (isDate) {
          const days = parseDateDays(value);
          if (formatDate(days) !== value.replace(/^\+/, '')) throw new Error('no such day');
          return BigInt(days) * MICROS_PER_DAY;
        }
        return parseTimestampMicros(value);
      } catch (err) {
        throw mismatch(`is not a date or time (${(err as Error).message})`);
      }
    }
  }
}

/** The top-level columns a predicate reads. */
export function columnsOf(bound: Bound, into = new Set<string>()): Set<string> {
  switch (bound.kind) {
    case 'and': case 'or': columnsOf(bound.left, into); columnsOf(bound.right, into); break;
    case 'not': columnsOf(bound.expr, into); break;
    default: into.add(bound.column.path[0] as string);
  }
  return into;
}

