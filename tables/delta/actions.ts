/**
 * The log actions the reader uses (PROTOCOL.md "Actions"), normalized from a JSON commit line or
 * a checkpoint's Parquet row into one typed shape. Unknown actions and fields are ignored, as the
 * protocol requires.
 */
import { DeltaTableError } from './errors';
import type { DeltaFileStats } from './stats';

/** The `protocol` action. */
export interface DeltaProtocol {
  minReaderVersion: number;
  minWriterVersion: number;
  /** Present when minReaderVersion is 3. */
  readerFeatures?: string[];
  /** Present when minWriterVersion is 7. */
  writerFeatures?: string[];
}

/** The `metaData` action. */
export interface DeltaMetadata {
  id: string;
  name?: string;
  description?: string;
  /** The schema, as Delta's JSON schema text. */
  schemaString: string;
  /** Partition columns by their logical names. */
  partitionColumns: string[];
  /** The table properties. */
  configuration: Record<string, string>;
  createdTime?: number;
}

/** Where a logical file's deleted rows are (PROTOCOL.md "Deletion Vector Descriptor Schema"). */
export interface DeletionVectorDescriptor {
  /** `u`: relative path from a UUID; `i`: inline; `p`: absolute path. */
  storageType: 'u' | 'i' | 'p';
  pathOrInlineDv: string;
  /** Start of the DV in its file (absent for inline ones). */
  offset?: number;
  /** Size of the serialized bitmap in bytes. */
  sizeInBytes: number;
  /** How many rows it deletes. */
  cardinality: number;
}

/** An `add` action as in the log (path still URI-encoded, partition values as strings). */
export interface RawAddFile {
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  /** Statistics as JSON text. */
  stats?: string;
  /** Statistics already typed, from a checkpoint's `stats_parsed` struct (set by the checkpoint reader). */
  parsedStats?: DeltaFileStats;
  deletionVector?: DeletionVectorDescriptor;
  baseRowId?: number;
  defaultRowCommitVersion?: number;
  tags?: Record<string, string | null>;
}

/** A `remove` action, as far as replay needs it. */
export interface RawRemoveFile {
  path: string;
  deletionVector?: DeletionVectorDescriptor;
  /** Whether the remove changed data (false for compaction); absent in the log means true. */
  dataChange?: boolean;
  /** Partition values (optional in the protocol; writers with extendedFileMetadata record them), keyed by physical name. */
  partitionValues?: Record<string, string | null>;
  /** Size in bytes (optional in the protocol). */
  size?: number;
}

/** A `cdc` action (PROTOCOL.md "Add CDC File"): a file of `_change_data/` holding a commit's changed rows. */
export interface RawCdcFile {
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
}

/** A `sidecar` action of a v2 checkpoint. */
export interface SidecarAction {
  path: string;
  sizeInBytes: number;
  modificationTime: number;
}

/** One action of the log, by kind. */
export type DeltaAction =
  | { kind: 'add'; add: RawAddFile }
  | { kind: 'remove'; remove: RawRemoveFile }
  | { kind: 'cdc'; cdc: RawCdcFile }
  | { kind: 'protocol'; protocol: DeltaProtocol }
  | { kind: 'metaData'; metaData: DeltaMetadata }
  | { kind: 'commitInfo'; inCommitTimestamp?: number; timestamp?: number; operation?: string }
  | { kind: 'sidecar'; sidecar: SidecarAction }
  | { kind: 'checkpointMetadata'; version: number };

type Obj = Record<string, unknown>;

/** The actions of one row (a JSON line's object or a checkpoint row), in a fixed order. */
export function actionsOf(row: Obj): DeltaAction[] {
  const out: DeltaAction[] = [];
  const get = (name: string): Obj | undefined => {
    const v = row[name];
    return v !== null && typeof v === 'object' ? v as Obj : undefined;
  };
  const add = get('add');
  if (add) out.push({ kind: 'add', add: addOf(add) });
  const remove = get('remove');
  if (remove) out.push({ kind: 'remove', remove: removeOf(remove) });
  const cdc = get('cdc');
  if (cdc) out.push({ kind: 'cdc', cdc: { path: str(cdc.path, 'cdc.path'), partitionValues: stringMap(cdc.partitionValues), size: num(cdc.size, 'cdc.size') } });
  const protocol = get('protocol');
  if (protocol) out.push({ kind: 'protocol', protocol: protocolOf(protocol) });
  const metaData = get('metaData');
  if (metaData) out.push({ kind: 'metaData', metaData: metadataOf(metaData) });
  const commitInfo = get('commitInfo');
  if (commitInfo) {
    out.push({
      kind: 'commitInfo', inCommitTimestamp: optNum(commitInfo.inCommitTimestamp),
      timestamp: optNum(commitInfo.timestamp), operation: optStr(commitInfo.operation),
    });
  }
  const sidecar = get('sidecar');
  if (sidecar) {
    out.push({ kind: 'sidecar', sidecar: { path: str(sidecar.path, 'sidecar.path'), sizeInBytes: num(sidecar.sizeInBytes, 'sidecar.sizeInBytes'), modificationTime: optNum(sidecar.modificationTime) ?? 0 } });
  }
  const checkpointMetadata = get('checkpointMetadata');
  if (checkpointMetadata) out.push({ kind: 'checkpointMetadata', version: num(checkpointMetadata.version, 'checkpointMetadata.version') });
  return out;
}

/** Parses one line of a JSON commit or checkpoint into its actions (an empty line has none). */
export function actionsOfLine(line: string, where: string): DeltaAction[] {
  if (line.trim() === '') return [];
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch (err) {
    throw new DeltaTableError(`${where}: a line is not JSON (${(err as Error).message})`);
  }
  if (row === null || typeof row !== 'object') throw new DeltaTableError(`${where}: a line is not a JSON object`);
  return actionsOf(row as Obj);
}

function addOf(a: Obj): RawAddFile {
  const stats = a.stats;
  return {
    path: str(a.path, 'add.path'),
    partitionValues: stringMap(a.partitionValues),
    size: num(a.size, 'add.size'),
    modificationTime: optNum(a.modificationTime) ?? 0,
    dataChange: a.dataChange !== false,
    stats: typeof stats === 'string' ? stats : undefined,
    deletionVector: dvOf(a.deletionVector),
    baseRowId: optNum(a.baseRowId),
    defaultRowCommitVersion: optNum(a.defaultRowCommitVersion),
    tags: a.tags === null || a.tags === undefined ? undefined : stringMap(a.tags),
  };
}

function removeOf(r: Obj): RawRemoveFile {
  const remove: RawRemoveFile = { path: str(r.path, 'remove.path'), deletionVector: dvOf(r.deletionVector) };
  if (typeof r.dataChange === 'boolean') remove.dataChange = r.dataChange;
  if (r.partitionValues !== null && r.partitionValues !== undefined) remove.partitionValues = stringMap(r.partitionValues);
  const size = optNum(r.size);
  if (size !== undefined) remove.size = size;
  return remove;
}

function dvOf(v: unknown): DeletionVectorDescriptor | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const d = v as Obj;
  if (d.storageType === null || d.storageType === undefined) return undefined; // a checkpoint's all-null struct
  const storageType = str(d.storageType, 'deletionVector.storageType');
  if (storageType !== 'u' && storageType !== 'i' && storageType !== 'p') {
    throw new DeltaTableError(`deletion vector storage type "${storageType}" is not one of u, i, p`);
  }
  return {
    storageType, pathOrInlineDv: str(d.pathOrInlineDv, 'deletionVector.pathOrInlineDv'),
    offset: optNum(d.offset), sizeInBytes: num(d.sizeInBytes, 'deletionVector.sizeInBytes'),
    cardinality: num(d.cardinality, 'deletionVector.cardinality'),
  };
}

function protocolOf(p: Obj): DeltaProtocol {
  const list = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);
  return {
    minReaderVersion: num(p.minReaderVersion, 'protocol.minReaderVersion'),
    minWriterVersion: num(p.minWriterVersion, 'protocol.minWriterVersion'),
    readerFeatures: list(p.readerFeatures), writerFeatures: list(p.writerFeatures),
  };
}

function metadataOf(m: Obj): DeltaMetadata {
  const config = stringMap(m.configuration);
  return {
    id: String(m.id ?? ''), name: optStr(m.name), description: optStr(m.description),
    schemaString: str(m.schemaString, 'metaData.schemaString'),
    partitionColumns: Array.isArray(m.partitionColumns) ? m.partitionColumns.map(String) : [],
    configuration: Object.fromEntries(Object.entries(config).filter((e): e is [string, string] => e[1] !== null)),
    createdTime: optNum(m.createdTime),
  };
}

/** A map<string,string> as JSON object, or as hyparquet's object for a Parquet map. */
function stringMap(v: unknown): Record<string, string | null> {
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object') throw new DeltaTableError('expected a map of strings');
  const out: Record<string, string | null> = {};
  for (const [k, val] of Object.entries(v as Obj)) out[k] = val === null || val === undefined ? null : String(val);
  return out;
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new DeltaTableError(`${field} is missing or not a string`);
  return v;
}

function optStr(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: unknown, field: string): number {
  const n = optNum(v);
  if (n === undefined) throw new DeltaTableError(`${field} is missing or not a number`);
  return n;
}

/** A JSON number or a Parquet INT64 (bigint) as a number; undefined when absent. */
function optNum(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}
