/**
 * `tables discover SOURCE [PATH]`: finds the tables below a folder of a source's bucket by
 * delimiter listings, breadth first (tables/discover-classify.ts says what a folder is). Bounded
 * whatever the bucket's size: folders deeper than `maxDepth` below PATH are not listed, and the
 * walk stops once `maxObjects` entries (objects and folders) have been listed; the result says
 * which limit was reached, and the tables whose folders were not listed whole are marked
 * incomplete (their files and bytes are then lower bounds).
 * A Delta or Iceberg table's folder is not walked further, so its data files are never proposed
 * as a table of their own; every folder below a Parquet or Avro table's folder is walked as part
 * of that table (the readers read every data file below it).
 */
import type { SourceClient } from '../s3/client';
import { listingPrefix } from '../s3/keys';
import { listPage } from '../s3/list';
import {
  classifyFolder, dataFormatOf, icebergMetadataFiles, isDeltaLog, isHiddenName, isPartitionFolder, newestDeltaVersion,
  partitionColumnOf, type DiscoveredFormat, type FolderListing,
} from './discover-classify';

/** What to walk, and how far. */
export interface DiscoverRequest {
  /** The folder below the source URL to start at ('' for the URL itself). */
  path: string;
  /** Folder levels below `path` listed at most. */
  maxDepth: number;
  /** Entries (objects and folders) listed at most, over the whole walk. */
  maxObjects: number;
}

/** Default limits of {@link DiscoverRequest}. */
export const DISCOVER_DEFAULTS = { maxDepth: 8, maxObjects: 20_000 } as const;

/** Tables found at most: the result travels through workflow history. */
export const MAX_DISCOVERED = 1000;

/** One table found. */
export interface DiscoveredTable {
  format: DiscoveredFormat;
  /** Its folder below the source URL, ending with `/`. */
  location: string;
  /** Parquet and Avro: the data files and their bytes seen (lower bounds when not `complete`). */
  files?: number;
  bytes?: number;
  /** Parquet and Avro: hive partition columns, in the order first seen. */
  partitionColumns?: string[];
  /** Delta: the newest version in the first page of `_delta_log/` (absent when that page is not the whole log). */
  version?: number;
  /** Iceberg: the newest `*.metadata.json` by its name. */
  metadataFile?: string;
  /** Whether every folder of the table was listed (false when a limit cut the walk short). */
  complete: boolean;
}

/** What a walk found, and why it stopped short if it did. */
export interface DiscoverResult {
  /** Where the walk started, below the source URL. */
  path: string;
  tables: DiscoveredTable[];
  /** Entries listed. */
  listed: number;
  /** The limits reached: `maxObjects`, `maxDepth` (folders left unlisted), `maxTables`. */
  limits: { maxObjects?: number; maxDepth?: number; maxTables?: number };
  /** Folders that look like tables but are not proposed, and why. */
  skipped: Array<{ location: string; reason: string }>;
}

interface DataTable {
  location: string;
  formats: Map<'parquet' | 'avro', number>;
  files: number;
  bytes: number;
  partitionColumns: string[];
  complete: boolean;
}

interface Pending {
  folder: string;
  depth: number;
  /** The data table this folder belongs to, when below one. */
  table?: DataTable;
}

/** The folder form of a path: no leading slash, '' or ending with `/`. */
export function folderOf(path: string): string {
  const trimmed = path.replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

/** Walks the folders below `request.path` of `client`'s source and returns the tables found. */
export async function discoverTables(client: SourceClient, request: DiscoverRequest): Promise<DiscoverResult> {
  const start = folderOf(request.path);
  const found: DiscoveredTable[] = [];
  const dataTables: DataTable[] = [];
  const skipped: DiscoverResult['skipped'] = [];
  const limits: DiscoverResult['limits'] = {};
  let listed = 0;
  const budgetLeft = () => request.maxObjects - listed;

  /** The folder's listing, at most `pages` pages; `complete` false when cut by a page or the budget. */
  const list = async (folder: string, pages = Infinity): Promise<FolderListing & { complete: boolean }> => {
    const prefix = listingPrefix(client.prefix, folder, true);
    const out: FolderListing = { files: [], subfolders: [] };
    let token: string | undefined;
    let page = 0;
    do {
      if (budgetLeft() <= 0) {
        limits.maxObjects = request.maxObjects;
        return { ...out, complete: false };
      }
      const got = await listPage(client, { prefix, delimiter: '/', token, pageSize: Math.min(1000, budgetLeft()) });
      listed += got.objects.length + got.folders.length;
      for (const o of got.objects) if (o.key !== prefix) out.files.push({ name: o.key.slice(prefix.length), size: o.size });
      for (const f of got.folders) out.subfolders.push(f.slice(prefix.length).replace(/\/$/, ''));
      token = got.nextToken;
      page++;
    } while (token && page < pages);
    if (token && budgetLeft() <= 0) limits.maxObjects = request.maxObjects;
    return { ...out, complete: token === undefined };
  };

  const queue: Pending[] = [{ folder: start, depth: 0 }];
  const enqueue = (parent: Pending, names: string[], table?: DataTable) => {
    for (const name of names) {
      if (parent.depth + 1 > request.maxDepth) {
        limits.maxDepth = request.maxDepth;
        if (table) table.complete = false;
        continue;
      }
      queue.push({ folder: `${parent.folder}${name}/`, depth: parent.depth + 1, table });
    }
  };

  while (queue.length > 0) {
    if (found.length + dataTables.length >= MAX_DISCOVERED) {
      limits.maxTables = MAX_DISCOVERED;
      break;
    }
    if (budgetLeft() <= 0) {
      limits.maxObjects = request.maxObjects;
      break;
    }
    const item = queue.shift() as Pending;
    const listing = await list(item.folder);
    if (item.table) {
      // Below a data table: every data file and folder belongs to it.
      const table = item.table;
      if (!listing.complete) table.complete = false;
      addFiles(table, listing);
      for (const name of listing.subfolders) if (isPartitionFolder(name)) addColumn(table, partitionColumnOf(name));
      enqueue(item, listing.subfolders.filter((s) => !isHiddenName(s)), table);
      continue;
    }
    let kind = classifyFolder(listing);
    if (kind.kind === 'delta-log') {
      const log = await list(`${item.folder}_delta_log/`, 1);
      if (isDeltaLog(log)) {
        const version = log.complete ? newestDeltaVersion(log) : undefined;
        found.push({ format: 'delta', location: item.folder, ...(version !== undefined ? { version } : {}), complete: true });
        continue;
      }
      skipped.push({ location: item.folder, reason: `its _delta_log/ holds no commit or checkpoint${log.complete ? '' : ' in its first page'}` });
      kind = classifyFolder({ ...listing, subfolders: listing.subfolders.filter((s) => s !== '_delta_log') });
    }
    if (kind.kind === 'iceberg-metadata') {
      const metadata = await list(`${item.folder}metadata/`, 1);
      const files = icebergMetadataFiles(metadata);
      if (files.length > 0) {
        found.push({ format: 'iceberg', location: item.folder, metadataFile: files[files.length - 1] as string, complete: metadata.complete });
        continue;
      }
      // A folder that happens to be called metadata: walked like any other.
      const rest = classifyFolder({ ...listing, subfolders: listing.subfolders.filter((s) => s !== 'metadata') });
      kind = rest.kind === 'none' ? { kind: 'none', subfolders: [...rest.subfolders, 'metadata'] }
        : rest.kind === 'data' ? { ...rest, otherFolders: [...rest.otherFolders, 'metadata'] } : rest;
    }
    if (kind.kind === 'data') {
      const table: DataTable = { location: item.folder, formats: new Map(), files: 0, bytes: 0, partitionColumns: [], complete: listing.complete };
      dataTables.push(table);
      addFiles(table, listing);
      for (const name of kind.partitionFolders) addColumn(table, partitionColumnOf(name));
      enqueue(item, [...kind.partitionFolders, ...kind.otherFolders], table);
    } else if (kind.kind === 'none') {
      enqueue(item, kind.subfolders);
    }
  }
  // Folders never listed leave their tables incomplete.
  for (const rest of queue) if (rest.table) rest.table.complete = false;

  for (const table of dataTables) {
    const formats = [...table.formats.keys()];
    if (formats.length === 0) {
      if (table.complete) skipped.push({ location: table.location, reason: 'its partition folders hold no Parquet or Avro file' });
      continue;
    }
    if (formats.length > 1) {
      skipped.push({ location: table.location, reason: `it holds both Parquet (${table.formats.get('parquet')}) and Avro (${table.formats.get('avro')}) files; a table reads one format. Fix: move each format into a folder of its own` });
      continue;
    }
    found.push({
      format: formats[0] as 'parquet' | 'avro', location: table.location, files: table.files, bytes: table.bytes,
      partitionColumns: table.partitionColumns, complete: table.complete,
    });
  }
  found.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
  return { path: start, tables: found.slice(0, MAX_DISCOVERED), listed, limits, skipped };
}

function addFiles(table: DataTable, listing: FolderListing): void {
  for (const file of listing.files) {
    const format = dataFormatOf(file.name);
    if (!format) continue;
    table.formats.set(format, (table.formats.get(format) ?? 0) + 1);
    table.files++;
    table.bytes += file.size;
  }
}

function addColumn(table: DataTable, column: string): void {
  if (!table.partitionColumns.includes(column)) table.partitionColumns.push(column);
}
