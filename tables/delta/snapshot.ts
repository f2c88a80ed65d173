/**
 * A Delta table's snapshot: its version, schema, partition columns, properties, protocol and
 * active files (typed partition values, statistics, deletion vectors), at the latest version or
 * by time travel (a version, or a timestamp).
 *
 * Memory: {@link openDeltaSnapshot} streams the files in batches (bounded by the keys of the
 * commits after the checkpoint, a checkpoint row group, and the largest commit);
 * {@link loadDeltaSnapshot} collects them into one list.
 */
import type { TableStorage } from '../storage';
import type { DeletionVectorDescriptor, DeltaMetadata, DeltaProtocol, RawAddFile } from './actions';
import { DeltaUnsupportedFeatureError } from './errors';
import { latestVersion, listLog, readLastCheckpoint, selectSegment, type LogListing, type LogSegment } from './log-files';
import { keyOfLogPath } from './paths';
import { typedPartitionValues } from './partition-values';
import { checkReadable, checkTypeChanges, columnMappingMode } from './protocol';
import { activeAdds, CommitReader, findProtocolAndMetadata } from './replay';
import { parseSchema, type ColumnMappingMode, type DeltaField, type DeltaStructType } from './schema';
import { parseStatsJson, type DeltaFileStats } from './stats';
import { ictSettings, inCommitTimestamp, versionAsOf } from './time-travel';
import type { DeltaValue } from './values';

/** One active file of the snapshot. */
export interface DeltaFile {
  /** The path as the log has it (URI-encoded, relative or absolute). */
  path: string;
  /** Its storage key, relative to the table root. */
  key: string;
  size: number;
  modificationTime: number;
  /** Partition values by logical column name, typed. */
  partitionValues: Record<string, DeltaValue>;
  stats?: DeltaFileStats;
  /** The rows deleted from the file, when any (read them with readDeletionVector). */
  deletionVector?: DeletionVectorDescriptor;
  baseRowId?: number;
  defaultRowCommitVersion?: number;
}

/** Everything about a snapshot but its files. */
export interface DeltaSnapshotInfo {
  version: number;
  /** The commit timestamp of the version (ms), when its commit file is still in the log. */
  commitTimestamp?: number;
  schema: DeltaStructType;
  partitionColumns: string[];
  /** The schema's fields of the partition columns, in partitionColumns order. */
  partitionFields: DeltaField[];
  tableProperties: Record<string, string>;
  protocol: DeltaProtocol;
  metadata: Omit<DeltaMetadata, 'schemaString' | 'partitionColumns' | 'configuration'>;
  columnMappingMode: ColumnMappingMode;
}

/** A snapshot with its files listed. */
export interface DeltaSnapshot extends DeltaSnapshotInfo {
  files: DeltaFile[];
}

/** Which version to read: the latest, a version, or the version as of a time (ms since the epoch or a Date). */
export interface SnapshotOptions {
  version?: number;
  timestamp?: number | Date;
}

/** An opened snapshot whose files are read as a stream. */
export interface OpenedSnapshot extends DeltaSnapshotInfo {
  /** The active files, in batches, each file once. */
  files(): AsyncGenerator<DeltaFile[]>;
}

/** Opens a snapshot: resolves the version, reads protocol and metadata, and checks the table is readable. */
export async function openDeltaSnapshot(storage: TableStorage, options: SnapshotOptions = {}): Promise<OpenedSnapshot> {
  const reader = new CommitReader(storage);
  let { listing, segment } = await segmentFor(storage, options.version);
  if (options.timestamp !== undefined) {
    if (options.version !== undefined) throw new RangeError('give a version or a timestamp, not both');
    const ms = options.timestamp instanceof Date ? options.timestamp.getTime() : options.timestamp;
    const { metadata } = await findProtocolAndMetadata(storage, segment, reader);
    listing = await listLog(storage); // every commit's time, not only those after the hinted checkpoint
    segment = selectSegment(listing, storage.location, await versionAsOf(storage, listing, metadata, reader, ms));
  }
  const { protocol, metadata } = await findProtocolAndMetadata(storage, segment, reader);
  checkReadable(protocol);
  const schema = parseSchema(metadata.schemaString);
  checkTypeChanges(protocol, schema);
  const mode = columnMappingMode(protocol, metadata);
  const partitionFields = metadata.partitionColumns.map((name) => {
    const field = schema.fields.find((f) => f.name === name);
    if (!field) throw new DeltaUnsupportedFeatureError(`partition column ${name}`, 'a partition column is not in the schema');
    return field;
  });
  const { id, name, description, createdTime } = metadata;
  const info: DeltaSnapshotInfo = {
    version: segment.version, commitTimestamp: await commitTimestamp(reader, listing, segment, metadata),
    schema, partitionColumns: metadata.partitionColumns, partitionFields, tableProperties: metadata.configuration,
    protocol, metadata: { id, name, description, createdTime }, columnMappingMode: mode,
  };
  return {
    ...info,
    async *files() {
      for await (const batch of activeAdds(storage, segment, reader, { schema, mode })) yield batch.map((add) => toDeltaFile(storage, add, info));
    },
  };
}

/** Reads a snapshot with all its active files. */
export async function loadDeltaSnapshot(storage: TableStorage, options: SnapshotOptions = {}): Promise<DeltaSnapshot> {
  const opened = await openDeltaSnapshot(storage, options);
  const files: DeltaFile[] = [];
  for await (const batch of opened.files()) files.push(...batch);
  return { ...opened, files };
}

/** The listing and segment of a version: from the `_last_checkpoint` hint when it serves, else from the whole log. */
async function segmentFor(storage: TableStorage, version?: number): Promise<{ listing: LogListing; segment: LogSegment }> {
  const hint = await readLastCheckpoint(storage);
  if (hint && (version === undefined || version >= hint.version)) {
    const listing = await listLog(storage, hint.version);
    const latest = latestVersion(listing);
    if (listing.checkpoints.has(hint.version) && latest !== undefined && (version === undefined || version <= latest)) {
      return { listing, segment: selectSegment(listing, storage.location, version) };
    }
  }
  const listing = await listLog(storage);
  return { listing, segment: selectSegment(listing, storage.location, version) };
}

async function commitTimestamp(reader: CommitReader, listing: LogListing, segment: LogSegment, metadata: DeltaMetadata): Promise<number | undefined> {
  const object = listing.commits.get(segment.version);
  if (!object) return undefined;
  const ict = ictSettings(metadata);
  if (ict && segment.version >= ict.version) return inCommitTimestamp(reader, listing, segment.version);
  return object.lastModified;
}

/** Step 4 of the replay: a surviving add action as a typed {@link DeltaFile}. */
function toDeltaFile(storage: TableStorage, add: RawAddFile, info: DeltaSnapshotInfo): DeltaFile {
  return {
    path: add.path, key: keyOfLogPath(storage, add.path), size: add.size, modificationTime: add.modificationTime,
    partitionValues: typedPartitionValues(add.partitionValues, info.partitionFields),
    stats: add.stats !== undefined ? parseStatsJson(add.stats, info.schema) : add.parsedStats,
    deletionVector: add.deletionVector, baseRowId: add.baseRowId, defaultRowCommitVersion: add.defaultRowCommitVersion,
  };
}
