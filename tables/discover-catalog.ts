/**
 * `tables discover` on a source with a catalog (`sources.NAME.catalog`): the catalog's tables
 * found beside the S3 walk's folders (tables/discover.ts), each proposed by its identifier.
 * - rest, unity, glue: namespaces listed breadth first from `--catalog-namespace` (or the root), the
 *   Iceberg tables of each listed, and each table loaded for its current metadata location (the
 *   folder it is read in; its vended credentials are dropped: the result travels through workflow
 *   history). Bounded: at most `maxCatalogTables` tables and {@link MAX_CATALOG_NAMESPACES}
 *   namespace listings, the result saying which limit it reached. Glue's tables that are not
 *   Iceberg, tables whose load fails permanently and tables outside the source's bucket and prefix
 *   are skipped, each with its reason; a catalog that is unavailable fails the walk (retried).
 * - files: the catalog is its folders, so its tables are the Iceberg folders the S3 walk found
 *   below `warehousePath` (`a/b/t/` is `a.b.t`); listing the warehouse again would be a second,
 *   unbounded listing.
 * A catalog table whose folder the walk found too is proposed once, as the catalog table (the
 * catalog is the truth about its current metadata): matched when the walk's Iceberg folder is the
 * folder above the catalog's metadata file's `metadata/`, or the table location the catalog
 * reports (see {@link mergeCatalogTables}).
 */
import type { SourceClient } from '../s3/client';
import { S3OperationError } from '../s3/errors';
import type { SourceRegistry } from '../s3/source-registry';
import { catalogOf, CatalogError, identifierOf, type IcebergCatalog } from './catalogs';
import { tableFolderOf } from './catalogs/open';
import { discoverTables, folderOf, type DiscoveredTable, type DiscoverRequest, type DiscoverResult } from './discover';

/** Default of {@link DiscoverRequest.maxCatalogTables}. */
export const CATALOG_DEFAULTS = { maxCatalogTables: 200 } as const;

/** Namespace listings made at most: a catalog of more namespaces is discovered below a narrower --catalog-namespace. */
export const MAX_CATALOG_NAMESPACES = 1000;

/** Tables loaded at once (each one request to the catalog). */
const LOAD_CONCURRENCY = 8;

/** A catalog table found, with the folders of the walk that are the same table. */
export interface CatalogFind {
  table: DiscoveredTable;
  /** Folders below the source URL (ending with `/`) an S3-walk Iceberg table at which is this table. */
  folders: string[];
}

/** What the catalog gave. */
interface CatalogListing {
  finds: CatalogFind[];
  skipped: DiscoverResult['skipped'];
  limits: DiscoverResult['limits'];
  namespaces: number;
}

/** A namespace written with dots (`a.b`) as its parts; '' or undefined is the root. */
export function namespaceParts(namespace: string | undefined, field = '--catalog-namespace'): string[] {
  if (namespace === undefined || namespace === '') return [];
  const parts = namespace.split('.');
  if (parts.some((p) => p.trim() === '')) throw new CatalogError('CatalogBadIdentifier', `${field} "${namespace}" has an empty part. Fix: write the namespace's parts joined by dots, e.g. sales or sales.eu.`);
  return parts;
}

/**
 * The walk's tables with the catalog's merged in: an S3-walk Iceberg table whose folder is a
 * catalog table's is dropped and the catalog table marked found by both. The walk's tables come
 * first (in their order), then the catalog's (in theirs).
 */
export function mergeCatalogTables(walked: DiscoveredTable[], finds: CatalogFind[]): DiscoveredTable[] {
  const byFolder = new Map<string, CatalogFind>();
  for (const find of finds) {
    for (const folder of find.folders.map(folderOf)) if (!byFolder.has(folder)) byFolder.set(folder, find);
  }
  const matched = new Set<CatalogFind>();
  const kept = walked.filter((t) => {
    const find = t.format === 'iceberg' ? byFolder.get(folderOf(t.location)) : undefined;
    if (find) matched.add(find);
    return !find;
  });
  return [...kept, ...finds.map((f) => (matched.has(f) ? { ...f.table, foundBy: [...f.table.foundBy, 's3-walk' as const] } : f.table))];
}

/** The file name of a metadata location. */
function fileName(uri: string): string {
  return uri.slice(uri.lastIndexOf('/') + 1);
}

/** `uri`'s key below the source URL, or undefined when it lies outside the source's bucket and prefix. */
function belowSource(client: Pick<SourceClient, 'bucket' | 'prefix'>, uri: string): string | undefined {
  const m = /^s3a?:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!m || m[1] !== client.bucket || !m[2]!.startsWith(client.prefix)) return undefined;
  return m[2]!.slice(client.prefix.length);
}

/** Lists and loads the tables of a rest, unity or glue catalog below `root`, bounded (see the file's comment). */
export async function listCatalogTables(catalog: IcebergCatalog, client: Pick<SourceClient, 'name' | 'bucket' | 'prefix'>, root: string[], maxTables: number): Promise<CatalogListing> {
  const skipped: DiscoverResult['skipped'] = [];
  const limits: DiscoverResult['limits'] = {};
  if (catalog.type === 'glue' && root.length > 1) {
    throw new CatalogError('CatalogBadIdentifier', `${catalog.field}: --catalog-namespace ${root.join('.')}: Glue's databases do not nest. Fix: name one database.`);
  }
  // Which namespaces hold tables and which hold namespaces: Glue's databases are flat, Unity's
  // catalogs hold schemas holding tables, a REST catalog's namespaces nest.
  const holdsTables = (ns: string[]) => (catalog.type === 'glue' ? ns.length === 1 : catalog.type === 'unity' ? ns.length === 2 : ns.length >= 1);
  const holdsNamespaces = (ns: string[]) => (catalog.type === 'glue' ? ns.length === 0 : catalog.type === 'unity' ? ns.length < 2 : ns.length < 16);
  const names: string[] = [];
  const queue = [root];
  let namespaces = 0;
  let listings = 0;
  while (queue.length > 0 && limits.maxCatalogTables === undefined) {
    const ns = queue.shift()!;
    if (holdsTables(ns)) {
      const tables = await catalog.listTables(ns, (t, reason) => skipped.push({ identifier: identifierOf(t), reason }));
      for (const t of tables) {
        if (names.length >= maxTables) {
          limits.maxCatalogTables = maxTables;
          break;
        }
        names.push(identifierOf(t));
      }
    }
    if (holdsNamespaces(ns) && limits.maxCatalogTables === undefined) {
      if (listings >= MAX_CATALOG_NAMESPACES) {
        limits.maxNamespaces = MAX_CATALOG_NAMESPACES;
        continue;
      }
      listings++;
      const children = await catalog.listNamespaces(ns.length > 0 ? ns : undefined);
      namespaces += children.length;
      queue.push(...children);
    }
  }
  const finds: Array<CatalogFind | undefined> = new Array(names.length);
  let next = 0;
  const load = async () => {
    for (let i = next++; i < names.length; i = next++) finds[i] = await loadFind(catalog, client, names[i]!, skipped);
  };
  await Promise.all(Array.from({ length: Math.min(LOAD_CONCURRENCY, names.length) }, load));
  return { finds: finds.filter((f): f is CatalogFind => f !== undefined), skipped, limits, namespaces: namespaces + (root.length > 0 ? 1 : 0) };
}

/** One catalog table loaded into a find, or skipped (told to `skipped`) when it cannot be read here. */
async function loadFind(catalog: IcebergCatalog, client: Pick<SourceClient, 'name' | 'bucket' | 'prefix'>, identifier: string, skipped: DiscoverResult['skipped']): Promise<CatalogFind | undefined> {
  let loaded;
  try {
    loaded = await catalog.loadTable(identifier);
  } catch (err) {
    // A catalog that is down fails the walk, to be retried; a table it cannot give is skipped.
    if (err instanceof S3OperationError && err.kind !== 'transient') {
      skipped.push({ identifier, reason: err.message });
      return undefined;
    }
    throw err;
  }
  const folderUri = tableFolderOf(loaded.metadataLocation, loaded.location);
  const location = belowSource(client, folderUri);
  if (location === undefined) {
    skipped.push({ identifier, reason: `its folder ${folderUri} is outside source "${client.name}" (s3://${client.bucket}/${client.prefix}); a table is read only below its source's bucket and prefix. Fix: discover it on a source whose url covers ${folderUri}, with the same catalog` });
    return undefined;
  }
  const folders = [location];
  const above = /^(.*\/)metadata\/[^/]+$/.exec(loaded.metadataLocation)?.[1];
  const metadataFolder = above === undefined ? undefined : belowSource(client, above);
  if (metadataFolder !== undefined && metadataFolder !== location) folders.push(metadataFolder);
  return {
    table: { format: 'iceberg', location: folderOf(location), identifier, foundBy: ['catalog'], metadataFile: fileName(loaded.metadataLocation), complete: true },
    folders,
  };
}

/**
 * A files catalog's tables: the walk's Iceberg folders below `warehousePath`, by identifier (the
 * folders below it joined by dots; a folder name with a dot cannot be one, and stays the walk's).
 */
export function filesCatalogFinds(walked: DiscoveredTable[], warehousePath: string, root: string[]): CatalogFind[] {
  const warehouse = folderOf(warehousePath);
  const finds: CatalogFind[] = [];
  for (const t of walked) {
    if (t.format !== 'iceberg' || !t.location.startsWith(warehouse)) continue;
    const parts = t.location.slice(warehouse.length).split('/').filter((p) => p !== '');
    if (parts.length < 2 || parts.some((p) => p.includes('.')) || root.some((r, i) => parts[i] !== r) || parts.length <= root.length) continue;
    finds.push({ table: { ...t, identifier: parts.join('.'), foundBy: ['catalog'] }, folders: [t.location] });
  }
  return finds;
}

/**
 * `tables discover` on source `sourceName`: the S3 walk of `request.path`, and the source's
 * catalog's tables when it has one (unless `request.catalog` is false), merged.
 */
export async function discoverSource(sources: SourceRegistry, sourceName: string, request: DiscoverRequest): Promise<DiscoverResult> {
  const client = sources.get(sourceName);
  const walked = await discoverTables(client, request);
  const settings = client.config.catalog;
  if (!settings || request.catalog === false) return walked;
  const root = namespaceParts(request.namespace);
  let listing: CatalogListing;
  if (settings.type === 'files') {
    const finds = filesCatalogFinds(walked.tables, settings.warehousePath, root);
    listing = { finds, skipped: [], limits: {}, namespaces: new Set(finds.map((f) => f.table.identifier!.replace(/\.[^.]+$/, ''))).size };
  } else {
    listing = await listCatalogTables(catalogOf(sources, sourceName), client, root, request.maxCatalogTables ?? CATALOG_DEFAULTS.maxCatalogTables);
  }
  return {
    ...walked,
    tables: mergeCatalogTables(walked.tables, listing.finds),
    limits: { ...walked.limits, ...listing.limits },
    skipped: [...walked.skipped, ...listing.skipped],
    catalog: { type: settings.type, namespaces: listing.namespaces, tables: listing.finds.length },
  };
}
