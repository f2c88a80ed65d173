/**
 * The `tables` operations (registry-ops.ts) for Iceberg tables: register reads the current
 * snapshot's metadata and files, read streams a snapshot's rows (the current one, or one by
 * snapshot id, by ref or as of a time), history lists the snapshots. Iceberg's versions are its
 * snapshots, named by 64-bit ids: `--snapshot ID` (decimal text, never a rounded number) and
 * `--ref NAME` (a branch or tag) choose one; `--version N` is refused for them, saying so.
 */
import { icebergHistory, openIcebergTable, type IcebergTable, type SnapshotSelector } from './iceberg';
import type { OpenedTable, ReadHeader, ReadRequest, TableHistoryEntry } from './registry-ops';
import type { TableColumn, TableRecord } from './registry';
import { typeName } from './delta/schema';
import type { TableRow, TableSchema } from './table-reader';

/** A usage problem with an Iceberg read (bad snapshot id, several selectors); registry-ops turns it into its own request error. */
export class IcebergRequestError extends Error {
  override readonly name = 'IcebergRequestError';
}

function columns(schema: TableSchema): TableColumn[] {
  return schema.fields.map((f) => ({ name: f.name, type: typeName(f.type), nullable: f.nullable }));
}

/** The snapshot a read request chooses. */
export function selectorOf(request: Pick<ReadRequest, 'version' | 'asOf' | 'snapshot' | 'ref'>, name: string): SnapshotSelector {
  if (request.version !== undefined) {
    throw new IcebergRequestError(`table ${name} is an Iceberg table: its versions are snapshots with 64-bit ids. Fix: give --snapshot ID (see tables history ${name}), --ref NAME (a branch or tag) or --as-of TIME instead of --version.`);
  }
  const given = [request.snapshot, request.ref, request.asOf].filter((v) => v !== undefined).length;
  if (given > 1) throw new IcebergRequestError('give one of --snapshot, --ref and --as-of, not several');
  if (request.snapshot !== undefined && !/^-?\d{1,19}$/.test(request.snapshot)) {
    throw new IcebergRequestError(`--snapshot ${request.snapshot} is not a snapshot id (a 64-bit integer, as tables history shows it)`);
  }
  return {
    ...(request.snapshot !== undefined ? { snapshotId: BigInt(request.snapshot) } : {}),
    ...(request.ref !== undefined ? { ref: request.ref } : {}),
    ...(request.asOf !== undefined ? { asOfMs: request.asOf } : {}),
  };
}

/** Reads the table's current snapshot into a registry record (its live files listed from the manifests). */
export async function inspectIcebergTable(table: OpenedTable, now: Date): Promise<TableRecord> {
  const reader = await openIcebergTable(table.storage, { metadataKey: table.metadataKey });
  const description = await reader.describe();
  return {
    name: table.name, format: table.format, source: table.source, location: table.location, url: table.storage.location,
    ...(reader.snapshot ? { snapshotId: String(reader.snapshot.snapshotId), versionTimestamp: new Date(reader.snapshot.timestampMs).toISOString() } : {}),
    schema: columns(reader.schema), partitionColumns: description.partitionColumns,
    fileCount: description.fileCount, bytes: description.bytes, registeredAt: now.toISOString(),
  };
}

/** Streams the rows of the snapshot `request` chooses; `header` first, with its snapshot id and the columns. */
export async function* readIcebergRows(table: OpenedTable, request: ReadRequest, header?: (h: ReadHeader) => void): AsyncGenerator<TableRow> {
  const reader: IcebergTable = await openIcebergTable(table.storage, { ...selectorOf(request, table.name), metadataKey: table.metadataKey });
  const all = columns(reader.schema);
  const names = request.columns ?? all.map((c) => c.name);
  const picked = names.map((n) => all.find((c) => c.name === n)).filter((c): c is TableColumn => c !== undefined);
  header?.({ ...(reader.snapshot ? { snapshotId: String(reader.snapshot.snapshotId) } : {}), columns: picked, schema: { kind: 'struct', fields: names.flatMap((n) => reader.schema.fields.filter((f) => f.name === n)) } });
  if ((request.limit ?? Infinity) <= 0) return;
  for await (const batch of reader.scan({ columns: request.columns, limit: request.limit, where: request.where, stats: request.stats, planOnly: request.planOnly })) {
    yield* batch.rows;
  }
}

/** The table's snapshots, newest first, at most `limit`: `version` is the sequence number (0 in format version 1), `snapshotId` the id. */
export async function icebergTableHistory(table: OpenedTable, limit: number): Promise<TableHistoryEntry[]> {
  const reader = await openIcebergTable(table.storage, { metadataKey: table.metadataKey });
  return icebergHistory(reader.metadata, limit).map((e) => ({
    version: Number(e.sequenceNumber), snapshotId: e.snapshotId, timestamp: e.timestamp,
    ...(e.parentId !== undefined ? { parentId: e.parentId } : {}),
    ...(e.operation !== undefined ? { operation: e.operation } : {}),
    refs: e.refs,
  }));
}
