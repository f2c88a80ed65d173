/**
 * The `files` catalog: Iceberg tables stored under a warehouse folder of the source, a table
 * `a.b.t` in `<warehousePath>/a/b/t/` with its metadata files in `metadata/`, and no service
 * (Iceberg's Hadoop catalog layout, which pyiceberg, Spark and DuckDB write too).
 */
import { currentMetadataKey, IcebergTableError } from '../iceberg';
import type { TableStorage } from '../storage';
import type { CatalogTable, CatalogTableName, IcebergCatalog } from './catalog';
import { CatalogError } from './errors';

/**
 * The files catalog over `storage`, the source's warehouse folder (`warehousePath`); `tableStorage`
 * opens a table's folder (a key prefix below the warehouse, ending with `/`). A table's current
 * metadata file is found as the Iceberg reader finds it in a folder (tables/iceberg/locate.ts:
 * version-hint.text, else the highest vN.metadata.json, else the newest <N>-<uuid>.metadata.json).
 */
export function filesCatalog(field: string, storage: TableStorage, tableStorage: (folder: string) => TableStorage): IcebergCatalog & { listAllTables(): Promise<CatalogTableName[]> } {
  const folderOf = (parts: string[]) => parts.map((p) => `${p}/`).join('');
  const catalog = {
    field,
    type: 'files' as const,
    async loadTable(identifier: string): Promise<CatalogTable> {
      const parts = identifier.split('.');
      if (parts.length < 2 || parts.some((p) => p === '' || p === '..' || p === '.' || p.includes('/'))) {
        throw new CatalogError('CatalogBadIdentifier', `${field} (files): "${identifier}" is not a table name of the form namespace.table. Fix: write the table's folder below ${storage.location.replace(/\/?$/, '/')} with dots, e.g. sales.orders for sales/orders/.`);
      }
      const folder = folderOf(parts);
      const table = tableStorage(folder);
      try {
        const key = await currentMetadataKey(table);
        const location = table.location.replace(/\/?$/, '/');
        return { identifier, metadataLocation: `${location}${key}`, location };
      } catch (err) {
        if (!(err instanceof IcebergTableError)) throw err;
        // A folder without any metadata file is a table the catalog does not have; one with a broken hint is a broken table.
        for await (const object of storage.list(`${folder}metadata/`)) if (object.key.endsWith('.metadata.json')) throw err;
        throw new CatalogError('CatalogNoSuchTable', `${field} (files): no such table ${identifier}: ${storage.location.replace(/\/?$/, '/')}${folder}metadata/ holds no version-hint.text, vN.metadata.json or <N>-<uuid>.metadata.json. Fix: check the identifier and the catalog's warehousePath.`);
      }
    },
    /** Every table folder (one holding `metadata/*.metadata.json`), from one listing of the warehouse. */
    async listAllTables(): Promise<CatalogTableName[]> {
      const folders = new Set<string>();
      for await (const object of storage.list('')) {
        const m = /^(.+\/)?([^/]+)\/metadata\/[^/]+\.metadata\.json$/.exec(object.key);
        if (m) folders.add(`${m[1] ?? ''}${m[2]}`);
      }
      return [...folders].sort().map((folder) => {
        const parts = folder.split('/');
        return { namespace: parts.slice(0, -1), name: parts.at(-1)! };
      }).filter((t) => t.namespace.length > 0);
    },
    async listNamespaces(parent: string[] = []): Promise<string[][]> {
      const seen = new Map<string, string[]>();
      for (const table of await catalog.listAllTables()) {
        if (table.namespace.length <= parent.length || parent.some((p, i) => table.namespace[i] !== p)) continue;
        const child = table.namespace.slice(0, parent.length + 1);
        seen.set(child.join('\u001f'), child);
      }
      return [...seen.values()];
    },
    async listTables(namespace: string[]): Promise<CatalogTableName[]> {
      const key = namespace.join('\u001f');
      return (await catalog.listAllTables()).filter((t) => t.namespace.join('\u001f') === key);
    },
  };
  return catalog;
}
