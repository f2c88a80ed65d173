/**
 * Delta Change Data Feed (PROTOCOL.md "Change Data Files", "Add CDC File"): the rows that
 * commits `since`..`until` inserted, updated and deleted, each with `_change_type` (`insert`,
 * `update_preimage`, `update_postimage`, `delete`), `_commit_version` and `_commit_timestamp`.
 *
 * Per commit, as Delta's reference readers do:
 * - a commit with `cdc` actions has its changes in those `_change_data/` files, which carry
 *   `_change_type` themselves; its add and remove actions are then not read;
 * - otherwise its add actions with dataChange are inserts (the rows their deletion vector keeps),
 *   its remove actions with dataChange are deletes (the rows of the removed file its deletion
 *   vector kept), and a remove and an add of the same path in one commit (a deletion vector
 *   updated) change only the rows whose deletion state changed: rows newly deleted are deletes,
 *   rows restored are inserts.
 *
 * The range is refused when the feed was off (`delta.enableChangeDataFeed` not true) at `since`
 * or at any metadata change in it, naming that version, and when the schema changes in it.
 * Memory: one commit's actions at a time; rows a row group at a time.
 */
import { TableObjectNotFoundError, type TableStorage } from '../storage';
import type { DeletionVectorDescriptor, DeltaAction, DeltaMetadata, RawAddFile, RawCdcFile, RawRemoveFile } from './actions';
import { readDeletionVector } from './deletion-vector';
import { DeltaTableError, DeltaVersionNotFoundError } from './errors';
import { latestVersion, listLog, type LogListing } from './log-files';
import { keyOfLogPath } from './paths';
import { typedPartitionValues } from './partition-values';
import { checkReadable } from './protocol';
import { CommitReader } from './replay';
import type { RowIndexSet } from './roaring';
import { scanSelectedRows, type DeltaRow, type RowSelection } from './scan';
import { parseSchema, type DeltaField, type DeltaStructType } from './schema';
import { openDeltaSnapshot, type DeltaFile, type DeltaSnapshotInfo } from './snapshot';
import { ictSettings } from './time-travel';
import { formatTimestampMicros } from './values';

/** The kinds of change a row can record. Change files written by other writers may carry others, passed through as written. */
export type DeltaChangeType = 'insert' | 'update_preimage' | 'update_postimage' | 'delete';

/** Which commits to read: `since` to `until` (default: the latest version), both included. */
export interface DeltaChangesOptions {
  since: number;
  until?: number;
  /** Top-level columns (logical names) to return before the three change columns; all by default. */
  columns?: string[];
}

/** The changed rows of one row group of one file of one commit. */
export interface DeltaChangeBatch {
  version: number;
  /** The commit's timestamp, ms since the epoch (its in-commit timestamp when enabled, else its commit file's time). */
  timestamp: number;
  /** Each row: the table's columns, then `_change_type` (string), `_commit_version` (bigint), `_commit_timestamp` (timestamp text, UTC). */
  rows: DeltaRow[];
}

/** An opened range of changes: its versions and schema, and its rows as a stream. */
export interface OpenedChanges {
  since: number;
  until: number;
  /** The table as of `until` (its schema is the same at every version of the range). */
  snapshot: DeltaSnapshotInfo;
  /** The rows' schema: the table's columns (or those asked for), then the three change columns. */
  schema: DeltaStructType;
  /** The changes, commit by commit in ascending version order, each commit's files in action order. */
  batches(): AsyncGenerator<DeltaChangeBatch>;
}

/** The range includes a version at which the Change Data Feed was not enabled. */
export class DeltaChangeDataFeedDisabledError extends DeltaTableError {
  override readonly name = 'DeltaChangeDataFeedDisabledError';
  /** @param version the version at which `delta.enableChangeDataFeed` was not true */
  constructor(readonly version: number, since: number, until: number) {
    super(`the Change Data Feed was not enabled at version ${version} (delta.enableChangeDataFeed is not true), so the changes of versions ${since} to ${until} cannot be read`);
  }
}

/** The change columns added to every row. */
export const CHANGE_FIELDS: readonly DeltaField[] = [
  { name: '_change_type', type: { kind: 'primitive', name: 'string' }, nullable: false, metadata: {}, physicalName: '_change_type' },
  { name: '_commit_version', type: { kind: 'primitive', name: 'long' }, nullable: false, metadata: {}, physicalName: '_commit_version' },
  { name: '_commit_timestamp', type: { kind: 'primitive', name: 'timestamp' }, nullable: false, metadata: {}, physicalName: '_commit_timestamp' },
];

/** Reads the changes of commits `since`..`until`, in batches. */
export async function* readDeltaChanges(storage: TableStorage, options: DeltaChangesOptions): AsyncGenerator<DeltaChangeBatch> {
  yield* (await openDeltaChanges(storage, options)).batches();
}

/** Opens a range of changes: checks the versions exist, the feed was on and the schema stayed the same throughout. */
export async function openDeltaChanges(storage: TableStorage, options: DeltaChangesOptions): Promise<OpenedChanges> {
  const { since } = options;
  if (!Number.isInteger(since) || since < 0) throw new RangeError(`since must be a version (a non-negative integer), not ${since}`);
  // Only the log from `since` on is listed: older commits are not needed (the snapshot at `since` lists its own segment).
  let listing = await listLog(storage, since);
  if (latestVersion(listing) === undefined) listing = await listLog(storage);
  const latest = latestVersion(listing);
  if (latest === undefined) throw new DeltaTableError(`${storage.location} is not a Delta table: _delta_log/ has no commits`);
  if (since > latest) throw new DeltaVersionNotFoundError(`version ${since} does not exist: the latest version of ${storage.location} is ${latest}`);
  const until = options.until ?? latest;
  if (!Number.isInteger(until) || until < since) throw new RangeError(`until (${until}) must be a version at or after since (${since})`);
  if (until > latest) throw new DeltaVersionNotFoundError(`version ${until} does not exist: the latest version of ${storage.location} is ${latest}`);
  for (let v = since; v <= until; v++) {
    if (!listing.commits.has(v)) throw new DeltaVersionNotFoundError(`the commit of version ${v} is no longer in ${storage.location}'s log, so the changes of versions ${since} to ${until} cannot be read`);
  }
  const start = await openDeltaSnapshot(storage, { version: since });
  if (!cdfEnabled(start.tableProperties)) throw new DeltaChangeDataFeedDisabledError(since, since, until);
  // Each commit's protocol and metadata are checked before any row is read, so that a refused range yields nothing.
  const reader = new CommitReader(storage);
  const timestamps = await checkCommits(listing, reader, { since, until, start });
  const end = until === since ? start : await openDeltaSnapshot(storage, { version: until });
  const fields = options.columns === undefined ? end.schema.fields : options.columns.map((name) => {
    const field = end.schema.fields.find((f) => f.name === name);
    if (!field) throw new DeltaTableError(`no column ${name} in the table (columns: ${end.schema.fields.map((f) => f.name).join(', ')})`);
    return field;
  });
  const schema: DeltaStructType = { kind: 'struct', fields: [...fields, ...CHANGE_FIELDS] };
  return {
    since, until, snapshot: end, schema,
    async *batches() {
      for (let v = since; v <= until; v++) {
        const timestamp = timestamps.get(v) as number;
        const actions = await reader.actions(listing.commits.get(v) as NonNullable<ReturnType<LogListing['commits']['get']>>);
        yield* commitChanges(storage, end, fields, actions, v, timestamp);
      }
    },
  };
}

function cdfEnabled(properties: Record<string, string>): boolean {
  return properties['delta.enableChangeDataFeed']?.toLowerCase() === 'true';
}

function sameSchema(a: DeltaStructType, b: DeltaStructType): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Walks the range's commits once: every protocol must be readable, every metadata must keep the
 * feed on and the schema of `since`; returns each commit's timestamp.
 */
async function checkCommits(listing: LogListing, reader: CommitReader, range: { since: number; until: number; start: DeltaSnapshotInfo }): Promise<Map<number, number>> {
  const { since, until, start } = range;
  let configuration = range.start.tableProperties;
  const timestamps = new Map<number, number>();
  for (let v = since; v <= until; v++) {
    const object = listing.commits.get(v) as NonNullable<ReturnType<LogListing['commits']['get']>>;
    const actions = await reader.actions(object);
    let ict: number | undefined;
    for (const a of actions) {
      if (a.kind === 'protocol') checkReadable(a.protocol);
      else if (a.kind === 'metaData') {
        configuration = a.metaData.configuration;
        if (!cdfEnabled(configuration)) throw new DeltaChangeDataFeedDisabledError(v, since, until);
        if (!sameSchema(parseSchema(a.metaData.schemaString), start.schema)) {
          throw new DeltaTableError(`version ${v} changes the table's schema; changes are read across one schema only (read up to version ${v - 1}, then from ${v})`);
        }
      } else if (a.kind === 'commitInfo') ict ??= a.inCommitTimestamp;
    }
    const settings = ictSettings({ configuration } as DeltaMetadata);
    if (settings && v >= settings.version) {
      if (ict === undefined) throw new DeltaTableError(`commit ${v} has no inCommitTimestamp although In-Commit Timestamps are enabled from version ${settings.version}`);
      timestamps.set(v, ict);
    } else {
      timestamps.set(v, object.lastModified);
    }
  }
  return timestamps;
}

/** One file to read for a commit's changes: the rows `select` keeps, of the given change type (or the file's own). */
interface ChangeRead {
  file: DeltaFile;
  /** undefined: the file's `_change_type` column (a change data file). */
  changeType?: DeltaChangeType;
  select: RowSelection;
}

/** The changes of one commit. */
async function* commitChanges(storage: TableStorage, info: DeltaSnapshotInfo, fields: DeltaField[], actions: DeltaAction[], version: number, timestamp: number): AsyncGenerator<DeltaChangeBatch> {
  const timestampText = formatTimestampMicros(BigInt(timestamp) * 1000n, true);
  const changeTypeField = CHANGE_FIELDS[0] as DeltaField;
  for await (const read of changeReads(storage, info, actions, version)) {
    const readFields = read.changeType === undefined ? [...fields, changeTypeField] : fields;
    for await (const batch of scanSelectedRows(storage, info, read.file, readFields, read.select)) {
      if (batch.rows.length === 0) continue;
      const rows = batch.rows.map((row) => {
        const changeType = read.changeType ?? row._change_type;
        if (typeof changeType !== 'string') throw new DeltaTableError(`change data file ${read.file.key} (version ${version}) has a row without _change_type`);
        const out: DeltaRow = {};
        for (const f of fields) out[f.name] = row[f.name] ?? null;
        out._change_type = changeType;
        out._commit_version = BigInt(version);
        out._commit_timestamp = timestampText;
        return out;
      });
      yield { version, timestamp, rows };
    }
  }
}

/**
 * What to read for one commit's changes (see the module's comment), in action order; produced
 * as they are read, so that only the deletion vectors of the file being read are held.
 */
async function* changeReads(storage: TableStorage, info: DeltaSnapshotInfo, actions: DeltaAction[], version: number): AsyncGenerator<ChangeRead> {
  const cdcs = actions.flatMap((a) => (a.kind === 'cdc' ? [a.cdc] : []));
  const all = () => true;
  if (cdcs.length > 0) {
    for (const cdc of cdcs) yield { file: cdcFile(storage, info, cdc), select: all };
    return;
  }
  const adds = actions.flatMap((a) => (a.kind === 'add' && a.add.dataChange ? [a.add] : []));
  const removes = actions.flatMap((a) => (a.kind === 'remove' && a.remove.dataChange !== false ? [a.remove] : []));
  const addPaths = new Set(adds.map((a) => a.path));
  const removedDvs = new Map<string, DeletionVectorDescriptor | undefined>();
  for (const r of removes) if (addPaths.has(r.path)) removedDvs.set(r.path, r.deletionVector);
  for (const a of actions) {
    if (a.kind === 'add' && a.add.dataChange) {
      const file = addFile(storage, info, a.add);
      const addDeleted = await deletedRows(storage, a.add.deletionVector);
      if (removedDvs.has(a.add.path)) {
        // A deletion vector updated: rows it newly deletes are deletes, rows no longer deleted are inserts.
        const removeDeleted = await deletedRows(storage, removedDvs.get(a.add.path));
        const newlyDeleted = (i: number) => addDeleted.has(i) && !removeDeleted.has(i);
        const restored = (i: number) => removeDeleted.has(i) && !addDeleted.has(i);
        if (addDeleted.cardinality > 0) yield { file, changeType: 'delete', select: newlyDeleted };
        if (removeDeleted.cardinality > 0) yield { file, changeType: 'insert', select: restored };
      } else {
        yield { file, changeType: 'insert', select: (i) => !addDeleted.has(i) };
      }
    } else if (a.kind === 'remove' && a.remove.dataChange !== false && !addPaths.has(a.remove.path)) {
      const removeDeleted = await deletedRows(storage, a.remove.deletionVector);
      yield { file: await removedFile(storage, info, a.remove, version), changeType: 'delete', select: (i) => !removeDeleted.has(i) };
    }
  }
}

const NO_ROWS: Pick<RowIndexSet, 'has' | 'cardinality'> = { has: () => false, cardinality: 0 };

async function deletedRows(storage: TableStorage, dv: DeletionVectorDescriptor | undefined): Promise<Pick<RowIndexSet, 'has' | 'cardinality'>> {
  return dv ? readDeletionVector(storage, dv) : NO_ROWS;
}

function fileOf(storage: TableStorage, info: DeltaSnapshotInfo, path: string, size: number, partitionValues: Record<string, string | null>): DeltaFile {
  return {
    path, key: keyOfLogPath(storage, path), size, modificationTime: 0,
    partitionValues: typedPartitionValues(partitionValues, info.partitionFields),
  };
}

function addFile(storage: TableStorage, info: DeltaSnapshotInfo, add: RawAddFile): DeltaFile {
  return fileOf(storage, info, add.path, add.size, add.partitionValues);
}

function cdcFile(storage: TableStorage, info: DeltaSnapshotInfo, cdc: RawCdcFile): DeltaFile {
  return fileOf(storage, info, cdc.path, cdc.size, cdc.partitionValues);
}

/** The removed file, whose rows become deletes: its size from the action, else from a listing. */
async function removedFile(storage: TableStorage, info: DeltaSnapshotInfo, remove: RawRemoveFile, version: number): Promise<DeltaFile> {
  if (remove.partitionValues === undefined && info.partitionColumns.length > 0) {
    throw new DeltaTableError(`version ${version} removes ${remove.path} without its partition values (no extendedFileMetadata), so its rows cannot be given as deletes`);
  }
  const key = keyOfLogPath(storage, remove.path);
  let size = remove.size;
  if (size === undefined) {
    for await (const object of storage.list(key)) {
      if (object.key === key) size = object.size;
      break;
    }
    if (size === undefined) throw new TableObjectNotFoundError(key, storage.location);
  }
  return fileOf(storage, info, remove.path, size, remove.partitionValues ?? {});
}
