/**
 * An Iceberg table's history: its snapshots, newest first, with their ids (64-bit, as text),
 * parents, sequence numbers, times, operations and the refs that point at them.
 */
import type { TableMetadata } from './metadata';

/** One snapshot of the history. */
export interface IcebergHistoryEntry {
  snapshotId: string;
  parentId?: string;
  /** The data sequence number (0 in format version 1). */
  sequenceNumber: string;
  /** When it was committed (ISO 8601). */
  timestamp: string;
  /** `summary.operation`: append, replace, overwrite, delete. */
  operation?: string;
  /** Branches and tags that point at it (`main` for the current snapshot). */
  refs: string[];
  /** Whether it is the table's current snapshot. */
  current: boolean;
}

/** The table's snapshots still in its metadata, newest first (by time, then sequence number), at most `limit`. */
export function icebergHistory(metadata: TableMetadata, limit = Infinity): IcebergHistoryEntry[] {
  const refsOf = (id: bigint) => [...metadata.refs].filter(([, r]) => r.snapshotId === id).map(([name]) => name).sort();
  return [...metadata.snapshots]
    .sort((a, b) => b.timestampMs - a.timestampMs || (b.sequenceNumber > a.sequenceNumber ? 1 : b.sequenceNumber < a.sequenceNumber ? -1 : 0))
    .slice(0, limit)
    .map((s) => ({
      snapshotId: String(s.snapshotId), ...(s.parentId !== undefined ? { parentId: String(s.parentId) } : {}),
      sequenceNumber: String(s.sequenceNumber), timestamp: new Date(s.timestampMs).toISOString(),
      ...(s.operation !== undefined ? { operation: s.operation } : {}),
      refs: refsOf(s.snapshotId), current: s.snapshotId === metadata.currentSnapshotId,
    }));
}
