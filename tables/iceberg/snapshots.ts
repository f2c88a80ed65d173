/**
 * Which snapshot a read sees (the specification's "Snapshots", "Snapshot References" and
 * `snapshot-log`): the current one by default, or one by id, by ref (a branch's head or a tag),
 * or as of a time (the last snapshot-log entry at or before it). The schema read is the current
 * schema for the current snapshot (a column added since the last commit reads as null) and the
 * snapshot's own schema when travelling, as Iceberg's readers do.
 */
import { IcebergSnapshotNotFoundError, IcebergTableError } from './errors';
import { schemaById, type Snapshot, type TableMetadata } from './metadata';
import type { IcebergSchema } from './types';

/** What to read; at most one of the three. */
export interface SnapshotSelector {
  snapshotId?: bigint;
  /** A branch or tag name. */
  ref?: string;
  /** As of this time, in ms since the epoch. */
  asOfMs?: number;
}

/** The snapshot chosen (undefined: a table with no snapshot yet, which has no rows) and the schema to read it with. */
export interface SelectedSnapshot {
  snapshot?: Snapshot;
  schema: IcebergSchema;
}

/** Chooses the snapshot of `selector` in `metadata` (`where` names the table in errors). */
export function selectSnapshot(metadata: TableMetadata, selector: SnapshotSelector, where: string): SelectedSnapshot {
  const given = [selector.snapshotId, selector.ref, selector.asOfMs].filter((v) => v !== undefined).length;
  if (given > 1) throw new IcebergTableError('give one of a snapshot id, a ref or a time, not several');
  const byId = (id: bigint, what: string): Snapshot => {
    const s = metadata.snapshots.find((x) => x.snapshotId === id);
    if (!s) throw new IcebergSnapshotNotFoundError(`${where}: ${what} ${id} is not among the table's snapshots (it may have been expired); the snapshots are ${metadata.snapshots.map((x) => x.snapshotId).join(', ') || '(none)'}`);
    return s;
  };
  const travel = (snapshot: Snapshot): SelectedSnapshot => ({ snapshot, schema: schemaById(metadata, snapshot.schemaId ?? metadata.currentSchemaId, where) });
  if (selector.snapshotId !== undefined) return travel(byId(selector.snapshotId, 'snapshot'));
  if (selector.ref !== undefined) {
    const ref = metadata.refs.get(selector.ref);
    if (!ref) throw new IcebergSnapshotNotFoundError(`${where}: no branch or tag named "${selector.ref}" (refs: ${[...metadata.refs.keys()].sort().join(', ') || '(none)'})`);
    return travel(byId(ref.snapshotId, `${ref.type} ${selector.ref}'s snapshot`));
  }
  if (selector.asOfMs !== undefined) return travel(byId(snapshotAsOf(metadata, selector.asOfMs, where), 'the snapshot-log\'s snapshot'));
  const current = metadata.currentSnapshotId === undefined ? undefined : byId(metadata.currentSnapshotId, 'current-snapshot-id');
  return { snapshot: current, schema: schemaById(metadata, metadata.currentSchemaId, where) };
}

/** The id of the snapshot that was current at `asOfMs`: from the snapshot-log, else from the current snapshot's ancestry. */
function snapshotAsOf(metadata: TableMetadata, asOfMs: number, where: string): bigint {
  let found: bigint | undefined;
  let first: number | undefined;
  const log = metadata.snapshotLog.length > 0 ? metadata.snapshotLog : ancestry(metadata).reverse().map((s) => ({ snapshotId: s.snapshotId, timestampMs: s.timestampMs }));
  for (const entry of log) {
    first ??= entry.timestampMs;
    if (entry.timestampMs <= asOfMs) found = entry.snapshotId;
  }
  if (found === undefined) {
    const at = new Date(asOfMs).toISOString();
    throw new IcebergSnapshotNotFoundError(`${where}: no snapshot was current at ${at}${first === undefined ? ' (the table has none)' : ` (the first logged one is from ${new Date(first).toISOString()})`}`);
  }
  return found;
}

/** The current snapshot and its ancestors, newest first, as far as they are kept. */
export function ancestry(metadata: TableMetadata, from = metadata.currentSnapshotId): Snapshot[] {
  const byId = new Map(metadata.snapshots.map((s) => [s.snapshotId, s]));
  const out: Snapshot[] = [];
  for (let id = from; id !== undefined;) {
    const s = byId.get(id);
    if (!s || out.includes(s)) break;
    out.push(s);
    id = s.parentId;
  }
  return out;
}
