/**
 * What every Iceberg catalog does for the tables of its source (`sources.NAME.catalog`): turn a
 * table identifier into the location of the table's current metadata file, and list what it holds
 * (for `tables discover`).
 */

/** S3 keys a catalog hands out with a table (vended credentials). Secrets: never logged, never in workflow history. */
export interface VendedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When they expire (ms since the epoch), when the catalog says. */
  expiresAt?: number;
}

/** A table as its catalog resolves it. */
export interface CatalogTable {
  /** The identifier as configured, e.g. `sales.orders`. */
  identifier: string;
  /** The current metadata file, e.g. `s3://bucket/warehouse/sales/orders/metadata/00003-<uuid>.metadata.json`. */
  metadataLocation: string;
  /** The table's root location, when the catalog reports it. */
  location?: string;
  /** Credentials the catalog vended for the table's files, when it did. */
  credentials?: VendedCredentials;
}

/** A table the catalog lists: its namespace (one part per level) and name. */
export interface CatalogTableName {
  namespace: string[];
  name: string;
}

/** The catalog of one source. */
export interface IcebergCatalog {
  /** Its config field, for messages: `sources.lake.catalog`. */
  readonly field: string;
  readonly type: 'files' | 'glue' | 'rest' | 'unity';
  /** The table's current metadata location. @throws CatalogError */
  loadTable(identifier: string): Promise<CatalogTable>;
  /** Namespaces (Glue: databases; Unity: a catalog's schemas), each as its parts; below `parent` when given. */
  listNamespaces(parent?: string[]): Promise<string[][]>;
  /**
   * The Iceberg tables of a namespace. Tables the catalog holds that are not Iceberg (Glue's
   * Hive-style tables) are left out, each told to `skipped` with the reason when it is given.
   */
  listTables(namespace: string[], skipped?: (table: CatalogTableName, reason: string) => void): Promise<CatalogTableName[]>;
  /** Every table at once, where one request lists them all (the files catalog's one listing); used by discovery when present. */
  listAllTables?(): Promise<CatalogTableName[]>;
}

/** The identifier of a table as written in config: its parts joined by dots. */
export function identifierOf(table: CatalogTableName): string {
  return [...table.namespace, table.name].join('.');
}

/** Every table of a catalog, through its namespaces and theirs (`tables discover`), in listing order. */
export async function discoverCatalogTables(catalog: IcebergCatalog, root: string[] = []): Promise<CatalogTableName[]> {
  if (catalog.listAllTables) return catalog.listAllTables();
  const found: CatalogTableName[] = [];
  const walk = async (parent: string[], depth: number): Promise<void> => {
    // Nesting deeper than this is not a real catalog layout: stop rather than loop.
    if (depth > 16) return;
    for (const namespace of await catalog.listNamespaces(parent.length ? parent : undefined)) {
      found.push(...await catalog.listTables(namespace));
      if (catalog.type === 'rest') await walk(namespace, depth + 1);
    }
  };
  await walk(root, 0);
  return found;
}
