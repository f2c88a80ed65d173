/**
 * The table registry: what `tables register NAME` learned about a virtual table, kept in the
 * dataset store as `_tables/<name>.json` (`_tables` can never be a dataset's name), so that
 * `tables list` and `tables schema` read it without touching the table's bucket. Registering
 * again replaces the record; a schema that changed in between is reported as a diff.
 */
import type { StoreBackend } from '../datasets/backend';

/** The folder of the records in the dataset store. */
export const TABLES_DIR = '_tables';

/** Table formats a config may name (config/schema.ts `virtualTables.*.format`). */
export type TableFormat = 'parquet' | 'avro' | 'delta' | 'iceberg';

/** One top-level column. */
export interface TableColumn {
  name: string;
  /** The type as the format writes it: `long`, `decimal(10,2)`, `struct<a:int>`, ... */
  type: string;
  nullable: boolean;
}

/** A registered table. */
export interface TableRecord {
  name: string;
  format: TableFormat;
  source: string;
  /** The table's folder below the source URL. */
  location: string;
  /** Where it was read: `s3://bucket/prefix/folder/`. */
  url: string;
  /** The table version read (Delta: the log version); absent for formats without versions (Parquet, Avro). */
  version?: number;
  /** When that version was committed (ISO 8601), when known. */
  versionTimestamp?: string;
  /** Iceberg: the snapshot read, its 64-bit id as decimal text (Iceberg tables have no `version`). */
  snapshotId?: string;
  schema: TableColumn[];
  partitionColumns: string[];
  /** Active data files of the version, and their bytes. */
  fileCount: number;
  bytes: number;
  /** When `register` read it (ISO 8601). */
  registeredAt: string;
}

/** The record's path in the store. */
export function tableRecordPath(name: string): string {
  return `${TABLES_DIR}/${name}.json`;
}

/** The record of `name`, or undefined when it was never registered. */
export async function readTableRecord(store: StoreBackend, name: string): Promise<TableRecord | undefined> {
  const bytes = await store.read(tableRecordPath(name));
  return bytes === undefined ? undefined : JSON.parse(bytes.toString('utf8')) as TableRecord;
}

/** Writes (replaces) a record. */
export async function writeTableRecord(store: StoreBackend, record: TableRecord): Promise<void> {
  await store.write(tableRecordPath(record.name), `${JSON.stringify(record, null, 2)}\n`);
}

/** Every record in the store, sorted by name. */
export async function listTableRecords(store: StoreBackend): Promise<TableRecord[]> {
  const names = (await store.list(TABLES_DIR)).filter((n) => n.endsWith('.json') && !n.includes('.tmp-')).sort();
  const records = await Promise.all(names.map((n) => readTableRecord(store, n.slice(0, -'.json'.length))));
  return records.filter((r): r is TableRecord => r !== undefined);
}

/** One difference between two schemas. */
export type SchemaChange =
  | { change: 'added'; column: string; type: string; nullable: boolean }
  | { change: 'removed'; column: string; type: string }
  | { change: 'type'; column: string; from: string; to: string }
  | { change: 'nullable'; column: string; from: boolean; to: boolean };

/** What changed from `before` to `after`, column by column: removed and changed in `before`'s order, then added in `after`'s. */
export function diffSchemas(before: TableColumn[], after: TableColumn[]): SchemaChange[] {
  const now = new Map(after.map((c) => [c.name, c]));
  const was = new Set(before.map((c) => c.name));
  const changes: SchemaChange[] = [];
  for (const old of before) {
    const col = now.get(old.name);
    if (!col) {
      changes.push({ change: 'removed', column: old.name, type: old.type });
      continue;
    }
    if (col.type !== old.type) changes.push({ change: 'type', column: old.name, from: old.type, to: col.type });
    if (col.nullable !== old.nullable) changes.push({ change: 'nullable', column: old.name, from: old.nullable, to: col.nullable });
  }
  for (const col of after) if (!was.has(col.name)) changes.push({ change: 'added', column: col.name, type: col.type, nullable: col.nullable });
  return changes;
}

/** A diff as lines: `+ col type`, `- col type`, `~ col: from -> to`. */
export function formatSchemaDiff(changes: SchemaChange[]): string[] {
  return changes.map((c) => {
    switch (c.change) {
      case 'added': return `+ ${c.column} ${c.type}${c.nullable ? '' : ' not null'}`;
      case 'removed': return `- ${c.column} ${c.type}`;
      case 'type': return `~ ${c.column}: ${c.from} -> ${c.to}`;
      case 'nullable': return `~ ${c.column}: ${c.from ? 'nullable' : 'not null'} -> ${c.to ? 'nullable' : 'not null'}`;
    }
  });
}
