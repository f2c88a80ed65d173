/**
 * Evaluates a typed predicate on one row with SQL's three-valued logic: a comparison with a
 * null (the row's or a NULL literal) is unknown (null), `NOT unknown` is unknown, `false AND
 * unknown` is false, `true OR unknown` is true; a row is kept only when the predicate is true.
 */
import type { TableValue } from '../values';
import type { Bound, BoundColumn } from './bind';
import { compareKeys, keyOfValue, type Key } from './keys';
import type { CompareOp } from './ast';

/** True, false, or unknown (null). */
export type Truth = boolean | null;

/** The value at a column's path in a row (null when a struct on the way is null). */
export function valueAt(row: Record<string, TableValue>, column: BoundColumn): TableValue {
  let value: TableValue = row[column.path[0] as string] ?? null;
  for (let i = 1; i < column.path.length && value !== null; i++) value = (value as Record<string, TableValue>)[column.path[i] as string] ?? null;
  return value;
}

/** Whether `op` holds between two keys. */
export function holds(op: CompareOp, order: number): boolean {
  switch (op) {
    case '=': return order === 0;
    case '!=': return order !== 0;
    case '<': return order < 0;
    case '<=': return order <= 0;
    case '>': return order > 0;
    case '>=': return order >= 0;
  }
}

/** The truth of `bound` for a column's key (null for a null value): the leaves' rule, shared with pruning of constant columns. */
export function leafTruth(bound: Extract<Bound, { kind: 'compare' | 'in' | 'isNull' }>, key: Key | null, isNull: boolean): Truth {
  switch (bound.kind) {
    case 'isNull': return isNull !== bound.negated;
    case 'compare': return key === null || bound.key === null ? null : holds(bound.op, compareKeys(key, bound.key));
    case 'in': {
      if (key === null) return null;
      let unknown = false;
      for (const k of bound.keys) {
        if (k === null) unknown = true;
        else if (compareKeys(key, k) === 0) return true;
      }
      return unknown ? null : false;
    }
  }
}

/** The predicate's truth for `row`. */
export function evaluate(bound: Bound, row: Record<string, TableValue>): Truth {
  switch (bound.kind) {
    case 'and': {
      const l = evaluate(bound.left, row);
      if (l === false) return false;
      const r = evaluate(bound.right, row);
      return r === false ? false : l === null || r === null ? null : true;
    }
    case 'or': {
      const l = evaluate(bound.left, row);
      if (l === true) return true;
      const r = evaluate(bound.right, row);
      return r === true ? true : l === null || r === null ? null : false;
    }
    case 'not': {
      const v = evaluate(bound.expr, row);
      return v === null ? null : !v;
    }
    default: {
      const value = valueAt(row, bound.column);
      const key = value === null || bound.kind === 'isNull' || bound.column.domain === undefined ? null : keyOfValue(value, bound.column.domain, bound.column.scale);
      return leafTruth(bound, key, value === null);
    }
  }
}
