/**
 * `--where`: a predicate parsed (parse.ts), typed against a table's schema (bind.ts), evaluated
 * on rows with SQL's null semantics (evaluate.ts), and used to skip files and row groups whose
 * partition values or statistics rule out every row (prune.ts, summaries.ts).
 */
import type { DeltaStructType } from '../delta/schema';
import type { TableValue } from '../values';
import { bindPredicate, columnsOf, type Bound } from './bind';
import { evaluate } from './evaluate';
import { parsePredicate } from './parse';

export { PredicateError } from './ast';
export type { Bound, BoundColumn } from './bind';
export { mayMatch, type ColumnSummary, type SummaryOf } from './prune';

/** A predicate ready to filter and prune a table's rows. */
export interface CompiledWhere {
  /** The text as given. */
  text: string;
  bound: Bound;
  /** The top-level columns it reads (they are read even when not returned). */
  columns: string[];
  /** Whether the row is kept (the predicate is true, not false or unknown). */
  matches(row: Record<string, TableValue>): boolean;
}

/** Parses and types `text` against `schema`; errors are {@link PredicateError}s naming the problem. */
export function compileWhere(text: string, schema: DeltaStructType, location: string): CompiledWhere {
  const bound = bindPredicate(parsePredicate(text), schema, location);
  return { text, bound, columns: [...columnsOf(bound)], matches: (row) => evaluate(bound, row) === true };
}
