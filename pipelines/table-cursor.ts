/**
 * Where a table sync stands: the cursor in the newest transaction record that one of its runs
 * committed (datasets/types.ts, TableCursor). It lives in the record itself, so the rows a run
 * lands and the version it landed through become visible in one atomic step.
 */
import type { TableCursor, TransactionRecord } from '../datasets/types';

/** The cursor of table sync `job` among `records` (oldest first), and the transaction holding it. */
export function tableCursorOf(records: readonly TransactionRecord[], job: string): { cursor: TableCursor; transaction: number } | undefined {
  for (let i = records.length - 1; i >= 0; i--) {
    const record = records[i] as TransactionRecord;
    if (record.tableCursor?.job === job) return { cursor: record.tableCursor, transaction: record.id };
  }
  return undefined;
}
