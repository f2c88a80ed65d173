/**
 * Whether a set of rows (a file, a row group) may hold a row the predicate keeps, from what is
 * known of its columns without reading them: a constant value (a partition column), or bounds
 * and counts (statistics). Each node is analysed as two possibilities, "some row may make it
 * true" and "some row may make it false" (NOT swaps them; unknown is neither), so the answer
 * is sound: rows are pruned only when no row can make the predicate true. A column with no
 * summary may be anything.
 */
import type { TableValue } from '../values';
import type { Bound, BoundColumn } from './bind';
import { compareKeys, keyOfValue, type Key } from './keys';
import { leafTruth } from './evaluate';

/** What is known of one column over a set of rows. */
export type ColumnSummary =
  /** Every row holds this value (a partition value; null for a null partition). */
  | { constant: TableValue }
  | {
    /** At most the least non-null value (statistics may be looser than the data, never tighter). */
    min?: Key;
    /** At least the greatest non-null value. */
    max?: Key;
    /** Exactly the nulls, when known. */
    nullCount?: number;
    /** Exactly the rows, when known. */
    rowCount?: number;
  };

/** What is known of a column (keys in its domain, at its scale), or undefined when nothing is. */
export type SummaryOf = (column: BoundColumn) => ColumnSummary | undefined;

interface Possible {
  canTrue: boolean;
  canFalse: boolean;
}

const ANYTHING: Possible = { canTrue: true, canFalse: true };
const NOTHING: Possible = { canTrue: false, canFalse: false };

/** Whether some row of the set may satisfy `bound`; false means the set can be skipped. */
export function mayMatch(bound: Bound, summaryOf: SummaryOf): boolean {
  return analyse(bound, summaryOf).canTrue;
}

function analyse(bound: Bound, summaryOf: SummaryOf): Possible {
  switch (bound.kind) {
    case 'and': {
      const l = analyse(bound.left, summaryOf);
      const r = analyse(bound.right, summaryOf);
      return { canTrue: l.canTrue && r.canTrue, canFalse: l.canFalse || r.canFalse };
    }
    case 'or': {
      const l = analyse(bound.left, summaryOf);
      const r = analyse(bound.right, summaryOf);
      return { canTrue: l.canTrue || r.canTrue, canFalse: l.canFalse && r.canFalse };
    }
    case 'not': {
      const e = analyse(bound.expr, summaryOf);
      return { canTrue: e.canFalse, canFalse: e.canTrue };
    }
    default: return leaf(bound, summaryOf(bound.column));
  }
}

function leaf(bound: Extract<Bound, { kind: 'compare' | 'in' | 'isNull' }>, s: ColumnSummary | undefined): Possible {
  if (s === undefined) return ANYTHING;
  if ('constant' in s) {
    const { domain, scale } = bound.column;
    const key = s.constant === null || domain === undefined ? null : keyOfValue(s.constant, domain, scale);
    const truth = leafTruth(bound, key, s.constant === null);
    return { canTrue: truth === true, canFalse: truth === false };
  }
  if (s.rowCount === 0) return NOTHING;
  const allNull = s.nullCount !== undefined && s.rowCount !== undefined && s.nullCount >= s.rowCount;
  if (bound.kind === 'isNull') {
    const canNull = s.nullCount === undefined || s.nullCount > 0;
    return bound.negated ? { canTrue: !allNull, canFalse: canNull } : { canTrue: canNull, canFalse: !allNull };
  }
  if (allNull) return NOTHING; // every comparison with null is unknown
  const { min, max } = s;
  const cmp = (a: Key | undefined, b: Key) => (a === undefined ? undefined : compareKeys(a, b));
  const single = (k: Key) => cmp(min, k) === 0 && cmp(max, k) === 0; // every non-null value is k
  const inRange = (k: Key) => (cmp(min, k) ?? -1) <= 0 && (cmp(max, k) ?? 1) >= 0;
  if (bound.kind === 'in') {
    const keys = bound.keys.filter((k): k is Key => k !== null);
    const hasNull = keys.length < bound.keys.length;
    return { canTrue: keys.some(inRange), canFalse: !hasNull && !keys.some(single) };
  }
  const v = bound.key;
  if (v === null) return NOTHING;
  const minCmp = cmp(min, v) ?? -1; // unknown min: below everything
  const maxCmp = cmp(max, v) ?? 1; // unknown max: above everything
  switch (bound.op) {
    case '=': return { canTrue: inRange(v), canFalse: !single(v) };
    case '!=': return { canTrue: !single(v), canFalse: inRange(v) };
    case '<': return { canTrue: minCmp < 0, canFalse: maxCmp >= 0 };
    case '<=': return { canTrue: minCmp <= 0, canFalse: maxCmp > 0 };
    case '>': return { canTrue: maxCmp > 0, canFalse: minCmp <= 0 };
    case '>=': return { canTrue: maxCmp >= 0, canFalse: minCmp < 0 };
  }
}
