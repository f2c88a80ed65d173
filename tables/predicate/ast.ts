/**
 * The syntax tree of a `--where` predicate, before it is typed against a table's schema
 * (bind.ts): comparisons of a column with literals, combined by AND, OR and NOT.
 */

/** A column, or a field of struct columns (`point.x`), as written. */
export interface ColumnRef {
  /** The names along the path: `['point', 'x']`. */
  path: string[];
  /** The path as written, for messages. */
  text: string;
}

/** A literal as written, its value exact. */
export type Literal =
  | { kind: 'integer'; value: bigint; text: string }
  /** `unscaled / 10^scale`, e.g. `12.50` is 1250 at scale 2. */
  | { kind: 'decimal'; unscaled: bigint; scale: number; text: string }
  | { kind: 'string'; value: string; text: string }
  | { kind: 'boolean'; value: boolean; text: string }
  /** `DATE 'YYYY-MM-DD'`. */
  | { kind: 'date'; value: string; text: string }
  /** `TIMESTAMP '...'`. */
  | { kind: 'timestamp'; value: string; text: string }
  | { kind: 'null'; text: string };

/** A comparison operator; `<>` is read as `!=`. */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** A predicate over one row. */
export type Expr =
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'compare'; op: CompareOp; column: ColumnRef; literal: Literal }
  | { kind: 'in'; column: ColumnRef; literals: Literal[] }
  | { kind: 'isNull'; column: ColumnRef; negated: boolean };

/** An invalid `--where`: its syntax, an unknown column, or a literal of the wrong type. Bad usage, not retried. */
export class PredicateError extends Error {
  override readonly name = 'PredicateError';
}
