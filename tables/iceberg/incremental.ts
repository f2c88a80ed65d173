/**
 * Incremental append reads of an Iceberg table: the rows that the snapshots after `since` up to
 * `until` (default: the current snapshot) appended. The range is the parent chain walked back
 * from `until` to `since` (the specification's `parent-snapshot-id`); `since` must be an ancestor
 * of `until`. By `summary.operation`:
 * - `append`: its data files (manifest entries ADDED by that snapshot) are read whole;
 * - `replace` (compaction, rewritten files): changes no rows, skipped;
 * - `overwrite`, `delete` (and a snapshot with no or another operation): rows were removed or
 *   changed, which an append read cannot express: the range is refused naming the snapshot id
 *   and its operation, before any row is read.
 * Deletes: a delete file written after an appended file belongs to an overwrite or delete
 * snapshot (refused); one written before cannot apply to it (sequence numbers), so the appended
 * files are read without deletes. Rows have the columns of a snapshot read of `until` (its
 * schema), as pyiceberg's `incremental_append_scan` gives them for the current snapshot.
 */
import { compileWhere } from '../predicate';
import { emptyScanStats, namesToRead } from '../scan-stats';
import type { TableStorage } from '../storage';
import { selectColumns, type TableRowBatch, type TableSchema } from '../table-reader';
import type { DeleteIndex } from './deletes';
import { IcebergSnapshotNotFoundError, IcebergTableError } from './errors';
import { currentMetadataKey, placeOf, readMetadataFile } from './locate';
import { manifestFiles, manifestsOf, type ContentFile } from './manifests';
import type { Snapshot, TableMetadata } from './metadata';
import { NAME_MAPPING_PROPERTY, parseNameMapping } from './name-mapping';
import { scanDataFile } from './scan';
import { selectSnapshot } from './snapshots';
import { fieldsById, tableStructOf, type IcebergField, type IcebergSchema } from './types';

/** A snapshot in the range removes or changes rows: an append read cannot give its changes. */
export class IcebergNotAnAppendError extends IcebergTableError {
  override readonly name = 'IcebergNotAnAppendError';
  /**
   * @param snapshotId the snapshot (64-bit id, exact)
   * @param operation its `summary.operation`, when it has one
   */
  constructor(readonly snapshotId: bigint, readonly operation: string | undefined, where: string) {
    super(`${where}: snapshot ${snapshotId} is not an append (operation ${operation ?? '(none recorded)'}): it removes or changes rows, which an append-only read cannot give`);
  }
}

/** The snapshots of a range, oldest first, and its ends. */
export interface AppendRange {
  since: Snapshot;
  until: Snapshot;
  /** The `append` snapshots after `since` up to `until`, oldest first (replace ones left out). */
  appends: Snapshot[];
  /** Snapshots in the range, `since` excluded (appends and replaces). */
  snapshots: number;
}

/**
 * The appends after `since` up to `until` (the current snapshot by default).
 * @throws IcebergSnapshotNotFoundError when an end is not in the metadata, or `since` is not an ancestor of `until`
 * @throws IcebergNotAnAppendError at the newest snapshot of the range that is not an append or a replace
 */
export function appendRange(metadata: TableMetadata, since: bigint, until: bigint | undefined, where: string): AppendRange {
  const find = (id: bigint, what: string): Snapshot => {
    const s = metadata.snapshots.find((x) => x.snapshotId === id);
    if (!s) throw new IcebergSnapshotNotFoundError(`${where}: ${what} snapshot ${id} is not among the table's snapshots (it may have been expired); the snapshots are ${metadata.snapshots.map((x) => x.snapshotId).join(', ') || '(none)'}`);
    return s;
  };
  const start = find(since, 'the start (--since)');
  let end: Snapshot;
  if (until !== undefined) end = find(until, 'the end (--until)');
  else if (metadata.currentSnapshotId !== undefined) end = find(metadata.currentSnapshotId, 'the current');
  else throw new IcebergSnapshotNotFoundError(`${where}: the table has no current snapshot`);
  const byId = new Map(metadata.snapshots.map((s) => [s.snapshotId, s]));
  const walked: Snapshot[] = [];
  for (let s: Snapshot | undefined = end; s !== start; s = s.parentId === undefined ? undefined : byId.get(s.parentId)) {
    if (s === undefined || walked.includes(s)) {
      throw new IcebergSnapshotNotFoundError(`${where}: snapshot ${since} is not an ancestor of snapshot ${end.snapshotId}: walking the parents from ${end.snapshotId} never reaches it. Fix: give a --since snapshot on the branch of the end snapshot (tables history shows each parent).`);
    }
    walked.push(s);
  }
  for (const s of walked) {
    if (s.operation !== 'append' && s.operation !== 'replace') throw new IcebergNotAnAppendError(s.snapshotId, s.operation, where);
  }
  return { since: start, until: end, appends: walked.filter((s) => s.operation === 'append').reverse(), snapshots: walked.length };
}

/** The data files `snapshot` added (ADDED entries of its own manifests), in manifest order. */
export async function addedDataFiles(storage: TableStorage, snapshot: Snapshot): Promise<ContentFile[]> {
  const out: ContentFile[] = [];
  for (const manifest of await manifestsOf(storage, snapshot)) {
    if (manifest.content !== 'data') continue;
    if (manifest.addedSnapshotId !== undefined && manifest.addedSnapshotId !== snapshot.snapshotId) continue;
    for (const file of await manifestFiles(storage, manifest)) {
      if (file.content === 'data' && file.added === true && file.snapshotId === snapshot.snapshotId) out.push(file);
    }
  }
  return out;
}

/** What {@link openIcebergAppends} reads. */
export interface IcebergAppendsOptions {
  since: bigint;
  until?: bigint;
  /** The metadata file's key below the root, when a catalog gave it. */
  metadataKey?: string;
}

/** A range of appends, opened: its ends, the schema of its rows, and the rows of a data file. */
export interface OpenedAppends {
  metadataKey: string;
  metadata: TableMetadata;
  range: AppendRange;
  /** The schema of `until` (Iceberg's and the common form). */
  icebergSchema: IcebergSchema;
  schema: TableSchema;
  /** The appended data files, oldest snapshot first. */
  files(): Promise<Array<{ snapshot: Snapshot; file: ContentFile }>>;
  /** The rows of one appended data file, a row group at a time; only `columns` (all by default), kept by `where`. */
  scanFile(file: ContentFile, options?: { columns?: string[]; where?: string }): AsyncGenerator<TableRowBatch>;
}

/** Appended files are read without deletes (see the module's comment). */
const NO_DELETES: DeleteIndex = { positionsFor: () => new Set(), equalityFor: () => [], equalityFieldIds: new Set() };

/** Opens the appends of the table below `storage`'s root between `since` (excluded) and `until` (included). */
export async function openIcebergAppends(storage: TableStorage, options: IcebergAppendsOptions): Promise<OpenedAppends> {
  const metadataKey = options.metadataKey ?? await currentMetadataKey(storage);
  const metadata = await readMetadataFile(storage, metadataKey);
  const where = placeOf(storage, metadataKey);
  const range = appendRange(metadata, options.since, options.until, where);
  // The schema a snapshot read of the end sees: the current schema for the current snapshot, its own when travelling.
  const { schema: icebergSchema } = selectSnapshot(metadata, options.until === undefined ? {} : { snapshotId: options.until }, where);
  const schema = tableStructOf(icebergSchema);
  const allFields = new Map<number, IcebergField>();
  for (const s of metadata.schemas) for (const [id, f] of fieldsById(s)) allFields.set(id, f);
  for (const [id, f] of fieldsById(icebergSchema)) allFields.set(id, f);
  const mappingText = metadata.properties[NAME_MAPPING_PROPERTY];
  const nameMapping = mappingText === undefined ? undefined : parseNameMapping(mappingText, where);
  return {
    metadataKey, metadata, range, icebergSchema, schema,
    async files() {
      const out: Array<{ snapshot: Snapshot; file: ContentFile }> = [];
      for (const snapshot of range.appends) for (const file of await addedDataFiles(storage, snapshot)) out.push({ snapshot, file });
      return out;
    },
    scanFile(file, scan = {}) {
      const names = selectColumns(schema, scan.columns, storage.location).map((f) => f.name);
      const compiled = scan.where !== undefined ? compileWhere(scan.where, schema, storage.location) : undefined;
      const fields = namesToRead(names, compiled).map((n) => icebergSchema.fields.find((f) => f.name === n) as IcebergField);
      return scanDataFile({
        storage, fields, names, fieldsById: allFields, specs: metadata.specs, deletes: NO_DELETES, where: compiled,
        stats: emptyScanStats(), planOnly: false, nameMapping,
      }, file);
    },
  };
}
