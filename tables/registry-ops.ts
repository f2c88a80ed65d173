/**
 * What the `tables` commands do to a configured virtual table (`virtualTables.NAME`): open it in
 * its source's bucket, read its snapshot into a registry record, its first rows, its history,
 * and stream its rows as exact JSON lines. Delta, Parquet and Avro tables, through the common
 * reader (tables/readers.ts); Delta's versions (time travel, history) are Delta's alone, and
 * Iceberg is refused naming it. Workers run register, preview and history; `read` streams in
 * the caller.
 */
import type { ConnectorConfig } from '../config/schema';
import type { SourceRegistry } from '../s3/source-registry';
import { S3OperationError } from '../s3/errors';
import { CHANGE_FIELDS, DeltaTableError, loadDeltaSnapshot, openDeltaChanges, openDeltaSnapshot, scanDeltaFiles, type DeltaFile } from './delta';
import { actionsOfLine } from './delta/actions';
import { listLog } from './delta/log-files';
import { typeName, type DeltaStructType } from './delta/schema';
import { compileWhere } from './predicate';
import { icebergTableHistory, inspectIcebergTable, IcebergRequestError, readIcebergRows } from './iceberg-ops';
import { readIcebergAppendRows } from './iceberg-appends-ops';
import { openTableReader } from './readers';
import { filterRows, type ScanStats } from './scan-stats';
import type { TableRow, TableSchema } from './table-reader';
import type { TableColumn, TableFormat, TableRecord } from './registry';
import { jsonLineOfRow } from './serialize';
import { openParquet } from './parquet';
import { S3TableStorage } from './storage-s3';
import { DeferredTableStorage } from './catalogs/deferred-storage';
import { openCatalogTable, type ResolvedCatalogTable } from './catalogs/open';
import { TableObjectNotFoundError, type TableStorage } from './storage';

/** A usage problem with a virtual table: not configured, a format not built yet, bad options. Not retried. */
export class TableRequestError extends Error {
  override readonly name = 'TableRequestError';
}

/** A configured virtual table, opened. */
export interface OpenedTable {
  name: string;
  format: TableFormat;
  source: string;
  location: string;
  storage: TableStorage;
  /** Iceberg: the current metadata file's key below the folder, when a catalog named it. */
  metadataKey?: string;
  /** A catalog table (identifier:) before its catalog was asked where it is; see {@link resolveTable}. */
  catalog?: { identifier: string; resolve(): Promise<ResolvedCatalogTable> };
}

/** Formats whose reader is built. */
export const READABLE_FORMATS: readonly TableFormat[] = ['delta', 'parquet', 'avro', 'iceberg'];

/** Formats with versions (time travel, history): Delta's log versions, Iceberg's snapshots. */
export const VERSIONED_FORMATS: readonly TableFormat[] = ['delta', 'iceberg'];

/** Opens `virtualTables.<name>` of `config` through its source's client. */
export function openTable(config: ConnectorConfig, sources: SourceRegistry, name: string): OpenedTable {
  const table = config.virtualTables[name];
  if (!table) {
    const names = Object.keys(config.virtualTables);
    throw new TableRequestError(`virtual table "${name}" is not in the config. Fix: add it under virtualTables:, or use one of ${names.join(', ') || '(none)'}; the worker and the CLI must read the same config.`);
  }
  if (!READABLE_FORMATS.includes(table.format)) {
    throw new TableRequestError(`virtualTables.${name}: format ${table.format} is not built yet; only ${READABLE_FORMATS.join(', ')} tables can be registered and read so far.`);
  }
  if (table.location === undefined) return openCatalogTableEntry(config, sources, name, table.source, table.format, table.identifier ?? '');
  return { name, format: table.format, source: table.source, location: table.location, storage: new S3TableStorage(sources.get(table.source), table.location) };
}

/**
 * A catalog table, opened lazily: asking its catalog is a network call, made by the operation
 * that reads it ({@link resolveTable}); its storage is bound to the table's folder then.
 */
function openCatalogTableEntry(config: ConnectorConfig, sources: SourceRegistry, name: string, source: string, format: TableFormat, identifier: string): OpenedTable {
  if (format !== 'iceberg') {
    throw new TableRequestError(`virtualTables.${name}: identifier: applies to format iceberg only (catalogs hold Iceberg tables). Fix: set format: iceberg, or give the ${format} table's folder as location:.`);
  }
  if (!config.sources[source]?.catalog) {
    throw new TableRequestError(`virtualTables.${name}: identifier: needs a catalog on source "${source}", which has none. Fix: add sources.${source}.catalog (type: files, glue, rest or unity), or give the table's folder as location:.`);
  }
  const storage = new DeferredTableStorage(`${identifier} (sources.${source}.catalog)`);
  const resolve = async () => {
    const found = await openCatalogTable(sources, source, identifier);
    storage.bind(found.storage);
    return found;
  };
  return { name, format, source, location: identifier, storage, catalog: { identifier, resolve } };
}

/**
 * The table with its catalog asked where it is now: its folder and current metadata file, its
 * storage bound to that folder (a table with a location: as it is).
 */
export async function resolveTable(table: OpenedTable): Promise<OpenedTable> {
  if (!table.catalog) return table;
  const found = await table.catalog.resolve();
  return { name: table.name, format: table.format, source: table.source, storage: table.storage, location: found.location, metadataKey: found.metadataKey };
}

/** The top-level columns of a schema. */
export function columnsOf(snapshot: { schema: DeltaStructType }): TableColumn[] {
  return snapshot.schema.fields.map((f) => ({ name: f.name, type: typeName(f.type), nullable: f.nullable }));
}

/**
 * Reads the table into a record: a Delta table's latest snapshot (every active file, so the whole
 * log is checked, and the newest data file's footer, so a table whose files are gone fails); a Parquet or Avro folder's files and schema (Parquet: inferred from at most
 * 100 footers; Avro: the newest file's, the others resolved against it).
 */
export async function inspectTable(table: OpenedTable, now = new Date()): Promise<TableRecord> {
  table = await resolveTable(table);
  if (table.format === 'iceberg') return inspectIcebergTable(table, now);
  if (table.format !== 'delta') {
    const description = await (await openTableReader(table.format, table.storage)).describe();
    return {
      name: table.name, format: table.format, source: table.source, location: table.location, url: table.storage.location,
      schema: columnsOf(description), partitionColumns: description.partitionColumns,
      fileCount: description.fileCount, bytes: description.bytes, registeredAt: now.toISOString(),
    };
  }
  const snapshot = await loadDeltaSnapshot(table.storage);
  // The log may list files that are gone (vacuumed, copied in part): the newest file's footer must read.
  const newest = snapshot.files.reduce<DeltaFile | undefined>((a, f) => (a === undefined || f.modificationTime > a.modificationTime ? f : a), undefined);
  if (newest) {
    try {
      await openParquet(table.storage, newest.key, newest.size);
    } catch (err) {
      if (err instanceof TableObjectNotFoundError) throw new DeltaTableError(`data file ${newest.key} listed by version ${snapshot.version} of ${table.storage.location} is missing: the table is incomplete`);
      if (err instanceof S3OperationError) throw err;
      throw new DeltaTableError(`data file ${newest.key} of ${table.storage.location} is not readable Parquet: ${(err as Error).message}`);
    }
  }
  return {
    name: table.name, format: table.format, source: table.source, location: table.location, url: table.storage.location,
    version: snapshot.version,
    ...(snapshot.commitTimestamp !== undefined ? { versionTimestamp: new Date(snapshot.commitTimestamp).toISOString() } : {}),
    schema: columnsOf(snapshot), partitionColumns: snapshot.partitionColumns,
    fileCount: snapshot.files.length, bytes: snapshot.files.reduce((n, f) => n + f.size, 0),
    registeredAt: now.toISOString(),
  };
}

/** Which rows to read. */
export interface ReadRequest {
  /** Top-level columns, in this order; all by default. */
  columns?: string[];
  /** At most this many rows. */
  limit?: number;
  version?: number;
  /** As of this time (ms since the epoch). */
  asOf?: number;
  /** Delta: the rows changed by versions `since`..`until` (Change Data Feed), with `_change_type`, `_commit_version` and `_commit_timestamp`. */
  since?: number;
  /** The last version of a `since` range; the latest by default. */
  until?: number;
  /** Iceberg: the rows appended after this snapshot (64-bit id, decimal text), up to `untilSnapshot` (tables/iceberg-appends-ops.ts). */
  sinceSnapshot?: string;
  /** Iceberg: the last snapshot of a `sinceSnapshot` range; the current one by default. */
  untilSnapshot?: string;
  /** Iceberg: the snapshot of this id (64-bit, decimal text). */
  snapshot?: string;
  /** Iceberg: the snapshot a branch or tag points at. */
  ref?: string;
  /** Only rows this predicate is true for (tables/predicate/); snapshots are pruned by partitions and statistics, changes filtered. */
  where?: string;
  /** Filled with what a snapshot read pruned and reads (scan-stats.ts). */
  stats?: ScanStats;
  /** A snapshot's plan only: metadata is read and `stats` filled, no row (see tables/explain.ts). */
  planOnly?: boolean;
}

/** The version read (tables with versions) and its columns. */
export interface ReadHeader {
  version?: number;
  /** Iceberg: the snapshot read (64-bit id as decimal text); with --since, the range's last one. */
  snapshotId?: string;
  /** Iceberg, with --since: the snapshot the appends read follow. */
  sinceSnapshotId?: string;
  columns: TableColumn[];
  /** The same columns as typed fields (the schema a Parquet output is written with). */
  schema: TableSchema;
}

/**
 * Streams the rows of a snapshot as JSON lines (see serialize.ts), a row group at a time:
 * first `header` is called once with the version and columns.
 */
export async function* readTableLines(table: OpenedTable, request: ReadRequest, header?: (h: ReadHeader) => void): AsyncGenerator<string> {
  for await (const row of readTableRows(table, request, header)) yield jsonLineOfRow(row);
}

/** Streams the rows of a table (values exact, see tables/values.ts), a row group at a time; `header` first. */
export async function* readTableRows(table: OpenedTable, request: ReadRequest, header?: (h: ReadHeader) => void): AsyncGenerator<TableRow> {
  if (request.version !== undefined && request.asOf !== undefined) throw new TableRequestError('give --version or --as-of, not both');
  if (request.until !== undefined && request.since === undefined) throw new TableRequestError('--until needs --since');
  if (request.since !== undefined && (request.version !== undefined || request.asOf !== undefined)) throw new TableRequestError('give --since (changes) or --version/--as-of (a snapshot), not both');
  if (!VERSIONED_FORMATS.includes(table.format) && (request.since !== undefined || request.sinceSnapshot !== undefined)) {
    throw new TableRequestError(`table ${table.name} (format ${table.format}) has no versions: --since applies to ${VERSIONED_FORMATS.join(', ')} tables`);
  }
  if ((request.snapshot !== undefined || request.ref !== undefined) && table.format !== 'iceberg') throw new TableRequestError(`table ${table.name} (format ${table.format}) has no snapshots: --snapshot and --ref apply to iceberg tables`);
  if (request.untilSnapshot !== undefined && request.sinceSnapshot === undefined) throw new TableRequestError('--until needs --since');
  if (request.sinceSnapshot !== undefined && table.format !== 'iceberg') throw new TableRequestError(`table ${table.name} (format ${table.format}) has no snapshots: a --since snapshot id applies to iceberg tables`);
  if (table.format === 'iceberg' && request.since !== undefined) {
    throw new TableRequestError(`table ${table.name} is an Iceberg table: --since takes a snapshot id (64-bit, as decimal text: sinceSnapshot), not a Delta version`);
  }
  if (table.format === 'iceberg') {
    table = await resolveTable(table);
    try {
      yield* request.sinceSnapshot !== undefined ? readIcebergAppendRows(table, request, header) : readIcebergRows(table, request, header);
    } catch (err) {
      throw err instanceof IcebergRequestError ? new TableRequestError(err.message) : err;
    }
    return;
  }
  if (request.since !== undefined) {
    // A predicate may read columns not returned: then every column is read and the rows cut down after.
    const wide = request.where !== undefined && request.columns !== undefined;
    const changes = await openDeltaChanges(table.storage, { since: request.since, until: request.until, columns: wide ? undefined : request.columns });
    const names = wide ? [...request.columns!, ...CHANGE_FIELDS.map((f) => f.name)] : changes.schema.fields.map((f) => f.name);
    header?.({ version: changes.until, columns: pick(table, columnsOf(changes), names), schema: fieldsNamed(changes.schema, names) });
    const where = request.where !== undefined ? compileWhere(request.where, changes.schema, table.storage.location) : undefined;
    let left = request.limit ?? Infinity;
    if (left <= 0) return;
    for await (const batch of changes.batches()) {
      for (const row of filterRows(batch.rows, where, names)) {
        yield row;
        if (--left <= 0) return;
      }
    }
    return;
  }
  if (table.format !== 'delta') {
    if (request.version !== undefined || request.asOf !== undefined) {
      throw new TableRequestError(`table ${table.name} (format ${table.format}) has no versions: --version and --as-of apply to ${VERSIONED_FORMATS.join(', ')} tables`);
    }
    const reader = await openTableReader(table.format, table.storage);
    const described = (await reader.describe()).schema;
    header?.({ columns: pick(table, columnsOf({ schema: described }), request.columns), schema: fieldsNamed(described, request.columns) });
    if ((request.limit ?? Infinity) <= 0) return;
    for await (const batch of reader.scan({ columns: request.columns, limit: request.limit, where: request.where, stats: request.stats, planOnly: request.planOnly })) {
      yield* batch.rows;
    }
    return;
  }
  const snapshot = await openDeltaSnapshot(table.storage, { version: request.version, timestamp: request.asOf });
  header?.({ version: snapshot.version, columns: pick(table, columnsOf(snapshot), request.columns), schema: fieldsNamed(snapshot.schema, request.columns) });
  let left = request.limit ?? Infinity;
  if (left <= 0) return;
  const where = request.where !== undefined ? compileWhere(request.where, snapshot.schema, table.storage.location) : undefined;
  for await (const batch of scanDeltaFiles(table.storage, snapshot, snapshot.files(), { columns: request.columns, where, stats: request.stats, planOnly: request.planOnly })) {
    for (const row of batch.rows) {
      yield row;
      if (--left <= 0) return;
    }
  }
}

/** The columns asked for, in that order; an unknown one fails naming the table's columns. */
function pick(table: OpenedTable, all: TableColumn[], names: string[] | undefined): TableColumn[] {
  return names === undefined ? all : names.map((c) => {
    const column = all.find((a) => a.name === c);
    if (!column) throw new TableRequestError(`table ${table.name} has no column "${c}" (columns: ${all.map((a) => a.name).join(', ')})`);
    return column;
  });
}

/** The fields of `names` (checked by {@link pick} already), in that order; all when undefined. */
function fieldsNamed(schema: TableSchema, names: string[] | undefined): TableSchema {
  return names === undefined ? schema : { kind: 'struct', fields: names.map((n) => schema.fields.find((f) => f.name === n)!) };
}

/** The first rows of a table, for a workflow's payload: rows as JSON lines (exact), with the version and columns. */
export interface TablePreview extends Omit<ReadHeader, 'schema'> {
  table: string;
  rows: string[];
  /** Set when fewer than the rows asked for are returned because they reached {@link PREVIEW_MAX_BYTES}. */
  truncated?: boolean;
}

/** The most row text a preview returns: well under Temporal's 2 MB payload limit, whatever the rows' width. */
export const PREVIEW_MAX_BYTES = 1024 * 1024;

/** Reads the first `limit` rows (Delta: of the latest snapshot), stopping at {@link PREVIEW_MAX_BYTES} of rows. */
export async function previewTable(table: OpenedTable, limit: number): Promise<TablePreview> {
  let head: Omit<ReadHeader, 'schema'> = { columns: [] };
  const rows: string[] = [];
  let bytes = 0;
  for await (const line of readTableLines(table, { limit }, ({ schema: _schema, ...h }) => (head = h))) {
    bytes += Buffer.byteLength(line) + 1;
    if (bytes > PREVIEW_MAX_BYTES && rows.length > 0) return { table: table.name, ...head, rows, truncated: true };
    rows.push(line);
  }
  return { table: table.name, ...head, rows };
}

/** One commit of a table's history. */
export interface TableHistoryEntry {
  version: number;
  /** The commit's time as time travel (`--as-of`) sees it (ISO 8601): its in-commit timestamp when the table has them, else the commit file's modification time. */
  timestamp: string;
  /** The time the writer put in its commitInfo (ISO 8601), when it did. */
  commitInfoTimestamp?: string;
  /** The commitInfo's operation (WRITE, MERGE, DELETE, ...), when it has one; Iceberg: the snapshot's (append, overwrite, ...). */
  operation?: string;
  /** Iceberg: the snapshot's id (64-bit, decimal text); `version` is then its sequence number. */
  snapshotId?: string;
  /** Iceberg: its parent's id. */
  parentId?: string;
  /** Iceberg: the branches and tags that point at it. */
  refs?: string[];
}

/** The table's commits still in its log, newest first, at most `limit`. */
export async function tableHistory(table: OpenedTable, limit: number): Promise<TableHistoryEntry[]> {
  if (!VERSIONED_FORMATS.includes(table.format)) throw new TableRequestError(`table ${table.name} (format ${table.format}) has no versions: history applies to ${VERSIONED_FORMATS.join(', ')} tables`);
  if (table.format === 'iceberg') return icebergTableHistory(await resolveTable(table), limit);
  const listing = await listLog(table.storage);
  const versions = [...listing.commits.keys()].sort((a, b) => b - a).slice(0, limit);
  if (versions.length === 0) throw new DeltaTableError(`no commits in ${table.storage.location}_delta_log/: not a Delta table`);
  const entries: TableHistoryEntry[] = [];
  for (const version of versions) {
    const object = listing.commits.get(version)!;
    const text = new TextDecoder().decode(await table.storage.read(object.key));
    let info: { inCommitTimestamp?: number; timestamp?: number; operation?: string } = {};
    for (const line of text.split('\n')) {
      const found = actionsOfLine(line, object.key).find((a) => a.kind === 'commitInfo');
      if (found && found.kind === 'commitInfo') {
        info = found;
        break;
      }
    }
    entries.push({
      version, timestamp: new Date(info.inCommitTimestamp ?? object.lastModified).toISOString(),
      ...(info.timestamp !== undefined ? { commitInfoTimestamp: new Date(info.timestamp).toISOString() } : {}),
      ...(info.operation !== undefined ? { operation: info.operation } : {}),
    });
  }
  return entries;
}
