/**
 * The `files` catalog: Iceberg tables stored under a warehouse folder of the source, a table
 * `a.b.t` in `<warehousePath>/a/b/t/` with its metadata files in `metadata/`, and no service
 * (Iceberg's Hadoop catalog layout, which pyiceberg, Spark and DuckDB write too).
 */
import { TableObjectNotFoundError, type StoredObject, type TableStorage } from '../storage';
import type { CatalogTable, CatalogTableName, IcebergCatalog } from './catalog';
import { CatalogError } from './errors';

const HADOOP_VERSION = /^v(\d+)\.(?:gz\.)?metadata\.json$/;
const NUMBERED = /^(\d+)-[0-9a-fA-F-]+\.(?:gz\.)?metadata\.json$/;

/**
 * The key (relative to `storage`) of the current metadata file of the table in `folder` (a key
 * prefix ending with `/`, or '' for the storage root): the version named by
 * `metadata/version-hint.text` if present, else the highest `vN.metadata.json`, else the newest
 * `<N>-<uuid>.metadata.json` (highest N; the later written of equal ones). Undefined when the
 * folder holds no metadata file.
 */
export async function currentMetadataKey(storage: TableStorage, folder: string): Promise<string | undefined> {
  const dir = `${folder}metadata/`;
  const files: StoredObject[] = [];
  for await (const object of storage.list(dir)) {
    if (!object.key.slice(dir.length).includes('/')) files.push(object);
  }
  const names = new Map(files.map((f) => [f.key.slice(dir.length), f]));
  if (names.has('version-hint.text')) {
    let hint: string;
    try {
      hint = new TextDecoder().decode(await storage.read(`${dir}version-hint.text`)).trim();
    } catch (err) {
      if (!(err instanceof TableObjectNotFoundError)) throw err;
      hint = '';
    }
    // A number (Iceberg's Hadoop tables), or a file's name with or without its suffix (other writers).
    const candidates = /^\d+$/.test(hint) ? [`v${hint}.metadata.json`, `v${hint}.gz.metadata.json`]
      : [hint, `${hint}.metadata.json`, `${hint}.gz.metadata.json`];
    const named = candidates.find((c) => names.has(c));
    if (named) return `${dir}${named}`;
    // A hint naming no file (written before its metadata, or stale): the listing decides, as Iceberg's own HadoopTableOperations does.
  }
  let best: { version: number; object: StoredObject } | undefined;
  for (const [name, object] of names) {
    const m = HADOOP_VERSION.exec(name);
    if (m && (!best || Number(m[1]) > best.version)) best = { version: Number(m[1]), object };
  }
  if (best) return best.object.key;
  for (const [name, object] of names) {
    const m = NUMBERED.exec(name);
    const version = m ? Number(m[1]) : -1;
    if (m && (!best || version > best.version || (version === best.version && object.lastModified > best.object.lastModified))) best = { version, object };
  }
  return best?.object.key;
}

/** The files catalog over `storage`, the source's warehouse folder (`warehousePath`). */
export function filesCatalog(field: string, storage: TableStorage): IcebergCatalog & { listAllTables(): Promise<CatalogTableName[]> } {
  const folderOf = (parts: string[]) => parts.map((p) => `${p}/`).join('');
  const catalog = {
    field,
    type: 'files' as const,
    async loadTable(identifier: string): Promise<CatalogTable> {
      const parts = identifier.split('.');
      if (parts.length < 2 || parts.some((p) => p === '' || p === '..' || p.includes('/'))) {
        throw new CatalogError('CatalogBadIdentifier', `${field} (files): "${identifier}" is not a table name of the form namespace.table. Fix: write the table's folder below ${storage.location} with dots, e.g. sales.orders for sales/orders/.`);
      }
      const folder = folderOf(parts);
      const key = await currentMetadataKey(storage, folder);
      if (key === undefined) {
        throw new CatalogError('CatalogNoSuchTable', `${field} (files): no such table ${identifier}: ${storage.location}${folder}metadata/ holds no version-hint.text, vN.metadata.json or <N>-<uuid>.metadata.json. Fix: check the identifier and the catalog's warehousePath.`);
      }
      return { identifier, metadataLocation: `${storage.location}${key}`, location: `${storage.location}${folder}` };
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
