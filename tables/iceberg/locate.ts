/**
 * The `files` way of finding a table's current metadata file in its folder, as Iceberg's
 * file-system tables keep it: `metadata/version-hint.text` when present (a version N, meaning
 * `metadata/vN.metadata.json`, or a metadata file's name), else the highest
 * `metadata/vN.metadata.json`, else the `metadata/<N>-<uuid>.metadata.json` of the highest N
 * (catalog-written names; the newest by modification time when two share N). Gzipped metadata
 * (`.gz.metadata.json`, or gzip bytes) is read too.
 */
import { gunzipSync } from 'node:zlib';
import { TableObjectNotFoundError, type StoredObject, type TableStorage } from '../storage';
import { IcebergTableError } from './errors';
import { parseTableMetadata, type TableMetadata } from './metadata';

const HINT = 'metadata/version-hint.text';
const HADOOP_NAME = /^metadata\/v(\d+)(\.gz)?\.metadata\.json$/;
const CATALOG_NAME = /^metadata\/(\d+)-[0-9a-fA-F-]+(\.gz)?\.metadata\.json$/;

/** The place of `key` for messages: the storage's location and the key. */
export function placeOf(storage: TableStorage, key: string): string {
  return `${storage.location.replace(/\/?$/, '/')}${key}`;
}

/** The key of the table's current metadata file below `storage`'s root (the table's folder). */
export async function currentMetadataKey(storage: TableStorage): Promise<string> {
  const files: StoredObject[] = [];
  for await (const object of storage.list('metadata/')) if (!object.key.slice('metadata/'.length).includes('/')) files.push(object);
  const keys = new Set(files.map((f) => f.key));
  if (keys.has(HINT)) {
    const hint = new TextDecoder().decode(await storage.read(HINT)).trim();
    if (/^\d+$/.test(hint)) {
      const key = [`metadata/v${hint}.metadata.json`, `metadata/v${hint}.gz.metadata.json`].find((k) => keys.has(k));
      if (!key) throw new IcebergTableError(`${placeOf(storage, HINT)} names version ${hint}, but there is no metadata/v${hint}.metadata.json: the table is incomplete`);
      return key;
    }
    const named = `metadata/${hint.replace(/^.*\//, '')}`;
    if (!keys.has(named)) throw new IcebergTableError(`${placeOf(storage, HINT)} names ${hint}, which is not in metadata/`);
    return named;
  }
  const best = (pattern: RegExp): StoredObject | undefined => {
    let top: { n: bigint; object: StoredObject } | undefined;
    for (const f of files) {
      const m = pattern.exec(f.key);
      if (!m) continue;
      const n = BigInt(m[1] as string);
      if (!top || n > top.n || (n === top.n && f.lastModified > top.object.lastModified)) top = { n, object: f };
    }
    return top?.object;
  };
  const found = best(HADOOP_NAME) ?? best(CATALOG_NAME);
  if (!found) throw new IcebergTableError(`no Iceberg metadata in ${placeOf(storage, 'metadata/')} (no version-hint.text, vN.metadata.json or <N>-<uuid>.metadata.json): not an Iceberg table folder`);
  return found.key;
}

/** Reads and parses the metadata file `key` (gzipped or not). */
export async function readMetadataFile(storage: TableStorage, key: string): Promise<TableMetadata> {
  let bytes: Uint8Array;
  try {
    bytes = await storage.read(key);
  } catch (err) {
    if (err instanceof TableObjectNotFoundError) throw new IcebergTableError(`the metadata file ${key} is missing from ${storage.location}`);
    throw err;
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return parseTableMetadata(new TextDecoder().decode(bytes), placeOf(storage, key));
}
