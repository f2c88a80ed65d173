/**
 * `tables discover SOURCE [PATH]`: finds the tables below a folder of a source's bucket.
 * 1. A breadth-first walk of delimiter listings (tables/discover-classify.ts says what a folder
 *    is) down to the tables' folders, never into them: a Delta or Iceberg table's data files are
 *    never proposed as a table of their own, and a hive tree's table is the folder above its
 *    first partition folder.
 * 2. Each Parquet or Avro table's folder listed recursively (every data file below it is the
 *    table's, as its reader reads it), for its files, bytes, partition columns and format.
 * Bounded whatever the bucket's size: folders deeper than `maxDepth` below PATH are not walked,
 * and at most `maxObjects` entries (objects and folders) are listed over both steps, the tables
 * of step 2 sharing what step 1 left equally; the result says which limit was reached, and a
 * table not listed whole is marked incomplete (its files and bytes are then lower bounds).
 */
import type { SourceClient } from '../s3/client';
import { listingPrefix } from '../s3/keys';
import { listPage } from '../s3/list';
import {
  classifyFolder, icebergMetadataFiles, isDeltaLog, newestDeltaVersion, TableFilesTally, type DiscoveredFormat, type FolderListing,
} from './discover-classify';

/** What to walk, and how far. */
export interface DiscoverRequest {
  /** The folder below the source URL to start at ('' for the URL itself). */
  path: string;
  /** Folder levels below `path` listed at most. */
  maxDepth: number;
  /** Entries (objects and folders) listed at most, over the whole walk. */
  maxObjects: number;
  /** The source's catalog: false to leave it out (the S3 walk alone). Listed when the source has one. */
  catalog?: boolean;
  /** Only the catalog's tables in this namespace and those below it, its parts joined by dots (Unity: the catalog name first). */
  namespace?: string;
  /** Catalog tables found at most (each is asked for its metadata location); {@link CATALOG_DEFAULTS} by default. */
  maxCatalogTables?: number;
}

/** Where a table was found: the walk of the S3 folders, or the source's catalog. */
export type FoundBy = 's3-walk' | 'catalog';

/** Default limits of {@link DiscoverRequest}. */
export const DISCOVER_DEFAULTS = { maxDepth: 8, maxObjects: 20_000 } as const;

/** Tables found at most: the result travels through workflow history. */
export const MAX_DISCOVERED = 1000;

/** One table found. */
export interface DiscoveredTable {
  format: DiscoveredFormat;
  /** Its folder below the source URL, ending with `/` (a catalog table: the folder its metadata names). */
  location: string;
  /** A catalog table: its identifier in the source's catalog, which --apply writes instead of the folder. */
  identifier?: string;
  /** Where it was found: a catalog table whose folder the walk found too is listed once, with both. */
  foundBy: FoundBy[];
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
  /**
   * The limits reached: `maxObjects`, `maxDepth` (folders left unlisted), `maxTables`; the
   * catalog's `maxCatalogTables` and `maxNamespaces` (namespaces left unlisted).
   */
  limits: { maxObjects?: number; maxDepth?: number; maxTables?: number; maxCatalogTables?: number; maxNamespaces?: number };
  /** Folders (and catalog tables, by identifier) that look like tables but are not proposed, and why. */
  skipped: Array<{ location?: string; identifier?: string; reason: string }>;
  /** The source's catalog, when it was listed: its type and what it listed. */
  catalog?: { type: string; namespaces: number; tables: number };
}

interface Pending {
  folder: string;
  depth: number;
}

/** A folder's listing so far, and the token of the rest. */
interface Listing extends FolderListing {
  complete: boolean;
  token?: string;
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
  const dataFolders: string[] = [];
  const skipped: DiscoverResult['skipped'] = [];
  const limits: DiscoverResult['limits'] = {};
  let listed = 0;
  const budgetLeft = () => request.maxObjects - listed;

  /**
   * The folder's delimiter listing, at most `pages` more pages (after `from`'s, when given);
   * `complete` false and `token` set when cut short by the pages or the budget.
   */
  const list = async (folder: string, pages = Infinity, from?: Listing): Promise<Listing> => {
    const prefix = listingPrefix(client.prefix, folder, true);
    const out: Listing = from ?? { files: [], subfolders: [], complete: false };
    let token = from?.token;
    let page = 0;
    do {
      if (budgetLeft() <= 0) {
        limits.maxObjects = request.maxObjects;
        return { ...out, complete: false, token };
      }
      const got = await listPage(client, { prefix, delimiter: '/', token, pageSize: Math.min(1000, budgetLeft()) });
      listed += got.objects.length + got.folders.length;
      for (const o of got.objects) if (o.key !== prefix) out.files.push({ name: o.key.slice(prefix.length), size: o.size });
      for (const f of got.folders) out.subfolders.push(f.slice(prefix.length).replace(/\/$/, ''));
      token = got.nextToken;
      page++;
    } while (token && page < pages);
    if (token && budgetLeft() <= 0) limits.maxObjects = request.maxObjects;
    return { ...out, complete: token === undefined, token };
  };
  /** Whether anything lies below `folder` (one key listed). */
  const holdsAnything = async (folder: string): Promise<boolean> => {
    if (budgetLeft() <= 0) return false;
    const got = await listPage(client, { prefix: listingPrefix(client.prefix, folder, true), pageSize: 1 });
    listed += got.objects.length;
    return got.objects.length > 0;
  };

  // 1. Breadth first through folders that are no table, down to the tables' folders.
  const queue: Pending[] = [{ folder: start, depth: 0 }];
  while (queue.length > 0) {
    if (found.length + dataFolders.length >= MAX_DISCOVERED) {
      limits.maxTables = MAX_DISCOVERED;
      break;
    }
    if (budgetLeft() <= 0) {
      limits.maxObjects = request.maxObjects;
      break;
    }
    const item = queue.shift() as Pending;
    // The first page tells most folders apart; a large one is asked for its _delta_log/ and
    // metadata/ directly, and listed on only when it holds no table (its subfolders are needed).
    let listing = await list(item.folder, 1);
    if (!listing.complete) {
      for (const special of ['_delta_log', 'metadata']) {
        if (!listing.subfolders.includes(special) && await holdsAnything(`${item.folder}${special}/`)) listing.subfolders.push(special);
      }
    }
    /** Special folders that turned out not to make a table. */
    const rejected = new Set<string>();
    const classify = () => classifyFolder({ files: listing.files, subfolders: [...new Set(listing.subfolders)].filter((s) => !rejected.has(s)) });
    let kind = classify();
    if (kind.kind === 'delta-log') {
      const log = await list(`${item.folder}_delta_log/`, 1);
      if (isDeltaLog(log)) {
        const version = log.complete ? newestDeltaVersion(log) : undefined;
        found.push({ format: 'delta', location: item.folder, foundBy: ['s3-walk'], ...(version !== undefined ? { version } : {}), complete: true });
        continue;
      }
      skipped.push({ location: item.folder, reason: `its _delta_log/ holds no commit or checkpoint${log.complete ? '' : ' in its first page'}` });
      rejected.add('_delta_log');
      kind = classify();
    }
    if (kind.kind === 'iceberg-metadata') {
      const metadata = await list(`${item.folder}metadata/`, 1);
      const files = icebergMetadataFiles(metadata);
      if (files.length > 0) {
        found.push({ format: 'iceberg', location: item.folder, foundBy: ['s3-walk'], metadataFile: files[files.length - 1] as string, complete: metadata.complete });
        continue;
      }
      rejected.add('metadata');
      kind = classify();
    }
    if (kind.kind === 'none' && !listing.complete) {
      listing = await list(item.folder, Infinity, listing);
      kind = classify();
    }
    // A folder that happens to be called metadata is walked like any other.
    if (kind.kind === 'none' && rejected.has('metadata')) kind.subfolders.push('metadata');
    if (kind.kind === 'data') {
      dataFolders.push(item.folder);
    } else if (kind.kind === 'none') {
      for (const name of kind.subfolders) {
        if (item.depth + 1 > request.maxDepth) limits.maxDepth = request.maxDepth;
        else queue.push({ folder: `${item.folder}${name}/`, depth: item.depth + 1 });
      }
    }
  }

  // 2. Each data table's folder listed whole (recursively: one request per 1000 keys, not one per
  //    partition folder), each taking an equal share of the entries left.
  dataFolders.sort();
  for (const [i, folder] of dataFolders.entries()) {
    const share = Math.floor(budgetLeft() / (dataFolders.length - i));
    const tally = new TableFilesTally();
    const prefix = listingPrefix(client.prefix, folder, true);
    let used = 0;
    let token: string | undefined;
    let complete = false;
    while (used < share) {
      const got = await listPage(client, { prefix, token, pageSize: Math.min(1000, share - used) });
      used += got.objects.length;
      for (const o of got.objects) tally.add(o.key.slice(prefix.length), o.size);
      token = got.nextToken;
      if (token === undefined) {
        complete = true;
        break;
      }
    }
    listed += used;
    if (!complete) limits.maxObjects = request.maxObjects;
    const formats = [...tally.formats.keys()];
    if (tally.nestedTable !== undefined) {
      skipped.push({ location: folder, reason: `a table's reader would read the data files of the table at ${folder}${tally.nestedTable} with its own. Fix: move its own files into a folder of their own` });
    } else if (formats.length > 1) {
      skipped.push({ location: folder, reason: `it holds both Parquet (${tally.formats.get('parquet')}) and Avro (${tally.formats.get('avro')}) files; a table reads one format. Fix: move each format into a folder of its own` });
    } else if (formats.length === 0) {
      skipped.push({ location: folder, reason: complete ? 'its partition folders hold no Parquet or Avro file' : 'not listed far enough to find a data file before --max-objects was reached' });
    } else {
      found.push({
        format: formats[0] as 'parquet' | 'avro', location: folder, foundBy: ['s3-walk'], files: tally.files, bytes: tally.bytes,
        partitionColumns: tally.partitionColumns, complete,
      });
    }
  }
  found.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
  return { path: start, tables: found.slice(0, MAX_DISCOVERED), listed, limits, skipped };
}
