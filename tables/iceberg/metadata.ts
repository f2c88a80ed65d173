/**
 * Table metadata files (the specification's "Table Metadata", format versions 1 and 2) parsed
 * into typed values, 64-bit ids exact (json.ts). Version 1's singular `schema` and
 * `partition-spec` are read when the lists are absent; a table of format version 3 or later
 * is refused naming its version.
 */
import { IcebergTableError, IcebergUnsupportedError } from './errors';
import { arrayOf, int32Of, int64Of, objectOf, parseExactJson, stringOf } from './json';
import { parseIcebergSchema, type IcebergSchema } from './types';

/** One field of a partition spec. */
export interface PartitionField {
  sourceId: number;
  fieldId: number;
  name: string;
  /** As written: `identity`, `bucket[16]`, `truncate[4]`, `year`, `month`, `day`, `hour`, `void`. */
  transform: string;
}

/** A partition spec. */
export interface PartitionSpec {
  specId: number;
  fields: PartitionField[];
}

/** A snapshot: the table's state after one commit. */
export interface Snapshot {
  snapshotId: bigint;
  parentId?: bigint;
  /** The data sequence number (0 in format version 1, which has none). */
  sequenceNumber: bigint;
  timestampMs: number;
  /** The manifest list's URI; absent in version 1 snapshots that list their manifests instead. */
  manifestList?: string;
  /** Version 1: the manifests' URIs, when there is no manifest list. */
  manifests?: string[];
  /** `summary.operation`: append, replace, overwrite, delete. */
  operation?: string;
  summary: Record<string, string>;
  schemaId?: number;
}

/** A named reference to a snapshot. */
export interface SnapshotRef {
  snapshotId: bigint;
  type: 'branch' | 'tag';
}

/** A table metadata file, parsed. */
export interface TableMetadata {
  formatVersion: 1 | 2;
  tableUuid?: string;
  location: string;
  lastUpdatedMs?: number;
  lastSequenceNumber: bigint;
  schemas: IcebergSchema[];
  currentSchemaId: number;
  specs: PartitionSpec[];
  defaultSpecId: number;
  properties: Record<string, string>;
  snapshots: Snapshot[];
  currentSnapshotId?: bigint;
  refs: Map<string, SnapshotRef>;
  /** When each snapshot became current, oldest first (time travel by timestamp). */
  snapshotLog: Array<{ snapshotId: bigint; timestampMs: number }>;
}

/** Parses the text of a metadata file (`where` names it in errors). */
export function parseTableMetadata(text: string, where: string): TableMetadata {
  const o = objectOf(parseExactJson(text, where), 'the metadata', where);
  const version = int32Of(o['format-version'], 'format-version', where);
  if (version >= 3) throw new IcebergUnsupportedError(`format-version ${version}`, `${where}; format versions 1 and 2 are read`);
  if (version !== 1 && version !== 2) throw new IcebergTableError(`${where}: format-version ${version} is not an Iceberg format version`);
  const schemas = o.schemas !== undefined
    ? arrayOf(o.schemas, 'schemas', where).map((s) => parseIcebergSchema(s, where))
    : [parseIcebergSchema(o.schema, where)];
  const currentSchemaId = o['current-schema-id'] !== undefined ? int32Of(o['current-schema-id'], 'current-schema-id', where) : (schemas[0] as IcebergSchema).schemaId;
  if (!schemas.some((s) => s.schemaId === currentSchemaId)) throw new IcebergTableError(`${where}: current-schema-id ${currentSchemaId} is not among the schemas`);
  const specs = o['partition-specs'] !== undefined
    ? arrayOf(o['partition-specs'], 'partition-specs', where).map((s) => specOf(s, where))
    : [{ specId: 0, fields: fieldsOf(arrayOf(o['partition-spec'] ?? [], 'partition-spec', where), where) }];
  const defaultSpecId = o['default-spec-id'] !== undefined ? int32Of(o['default-spec-id'], 'default-spec-id', where) : (specs[0] as PartitionSpec).specId;
  const snapshots = arrayOf(o.snapshots ?? [], 'snapshots', where).map((s) => snapshotOf(s, version, where));
  const current = o['current-snapshot-id'] === undefined || o['current-snapshot-id'] === null ? undefined : int64Of(o['current-snapshot-id'], 'current-snapshot-id', where);
  const currentSnapshotId = current === undefined || current === -1n ? undefined : current;
  const refs = new Map<string, SnapshotRef>();
  for (const [name, ref] of Object.entries(objectOf(o.refs ?? {}, 'refs', where))) {
    const r = objectOf(ref, `refs.${name}`, where);
    const type = r.type === 'tag' ? 'tag' : r.type === 'branch' ? 'branch' : undefined;
    if (!type) throw new IcebergTableError(`${where}: refs.${name}.type is ${JSON.stringify(r.type)}, not branch or tag`);
    refs.set(name, { snapshotId: int64Of(r['snapshot-id'], `refs.${name}.snapshot-id`, where), type });
  }
  if (!refs.has('main') && currentSnapshotId !== undefined) refs.set('main', { snapshotId: currentSnapshotId, type: 'branch' });
  const snapshotLog = arrayOf(o['snapshot-log'] ?? [], 'snapshot-log', where).map((e) => {
    const entry = objectOf(e, 'snapshot-log entry', where);
    return { snapshotId: int64Of(entry['snapshot-id'], 'snapshot-log snapshot-id', where), timestampMs: Number(int64Of(entry['timestamp-ms'], 'snapshot-log timestamp-ms', where)) };
  });
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(objectOf(o.properties ?? {}, 'properties', where))) properties[k] = String(v);
  return {
    formatVersion: version, tableUuid: typeof o['table-uuid'] === 'string' ? o['table-uuid'] : undefined,
    location: stringOf(o.location, 'location', where),
    lastUpdatedMs: o['last-updated-ms'] === undefined ? undefined : Number(int64Of(o['last-updated-ms'], 'last-updated-ms', where)),
    lastSequenceNumber: o['last-sequence-number'] === undefined ? 0n : int64Of(o['last-sequence-number'], 'last-sequence-number', where),
    schemas, currentSchemaId, specs, defaultSpecId, properties, snapshots, currentSnapshotId, refs, snapshotLog,
  };
}

function specOf(s: unknown, where: string): PartitionSpec {
  const o = objectOf(s, 'partition spec', where);
  return { specId: int32Of(o['spec-id'], 'spec-id', where), fields: fieldsOf(arrayOf(o.fields, 'partition spec fields', where), where) };
}

function fieldsOf(fields: unknown[], where: string): PartitionField[] {
  return fields.map((f, i) => {
    const o = objectOf(f, 'partition field', where);
    return {
      sourceId: int32Of(o['source-id'], 'partition field source-id', where),
      // Version 1 specs may omit field ids: they were assigned from 1000 in order.
      fieldId: o['field-id'] === undefined ? 1000 + i : int32Of(o['field-id'], 'partition field field-id', where),
      name: stringOf(o.name, 'partition field name', where),
      transform: stringOf(o.transform, 'partition field transform', where),
    };
  });
}

function snapshotOf(s: unknown, version: number, where: string): Snapshot {
  const o = objectOf(s, 'snapshot', where);
  const snapshotId = int64Of(o['snapshot-id'], 'snapshot-id', where);
  const at = `${where} snapshot ${snapshotId}`;
  const summary: Record<string, string> = {};
  for (const [k, v] of Object.entries(objectOf(o.summary ?? {}, 'summary', at))) summary[k] = String(v);
  const manifestList = o['manifest-list'] === undefined ? undefined : stringOf(o['manifest-list'], 'manifest-list', at);
  const manifests = o.manifests === undefined ? undefined : arrayOf(o.manifests, 'manifests', at).map((m) => stringOf(m, 'manifests', at));
  if (manifestList === undefined && manifests === undefined) throw new IcebergTableError(`${at}: neither manifest-list nor manifests`);
  return {
    snapshotId,
    parentId: o['parent-snapshot-id'] === undefined || o['parent-snapshot-id'] === null ? undefined : int64Of(o['parent-snapshot-id'], 'parent-snapshot-id', at),
    sequenceNumber: version === 1 || o['sequence-number'] === undefined ? 0n : int64Of(o['sequence-number'], 'sequence-number', at),
    timestampMs: Number(int64Of(o['timestamp-ms'], 'timestamp-ms', at)),
    manifestList, manifests, operation: summary.operation, summary,
    schemaId: o['schema-id'] === undefined ? undefined : int32Of(o['schema-id'], 'schema-id', at),
  };
}

/** The schema of id `id`; fails naming the ids there are. */
export function schemaById(metadata: TableMetadata, id: number, where: string): IcebergSchema {
  const schema = metadata.schemas.find((s) => s.schemaId === id);
  if (!schema) throw new IcebergTableError(`${where}: no schema ${id} (schemas: ${metadata.schemas.map((s) => s.schemaId).join(', ')})`);
  return schema;
}

/** The partition spec of id `id`; fails naming the ids there are. */
export function specById(metadata: TableMetadata, id: number, where: string): PartitionSpec {
  const spec = metadata.specs.find((s) => s.specId === id);
  if (!spec) throw new IcebergTableError(`${where}: no partition spec ${id} (specs: ${metadata.specs.map((s) => s.specId).join(', ')})`);
  return spec;
}
