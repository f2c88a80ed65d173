/**
 * A catalog table opened for reading: its catalog's metadata location turned into the table's
 * folder in its source's bucket (the storage the Iceberg reader reads) and the metadata file's key
 * there. A table the catalog places outside the source's bucket and prefix is refused: a table is
 * read only where its source's rules apply. When the catalog vends S3 credentials for the table
 * (Iceberg REST's access delegation), its files are read with those, over the source's endpoint
 * and connection settings, as Iceberg's own clients do; else with the source's credentials.
 */
import { createSourceClient, type SourceClient } from '../../s3/client';
import type { SourceRegistry } from '../../s3/source-registry';
import { S3TableStorage } from '../storage-s3';
import type { TableStorage } from '../storage';
import type { VendedCredentials } from './catalog';
import { catalogOf } from './index';
import { CatalogError } from './errors';

/** Where a catalog table is, for the reader. */
export interface ResolvedCatalogTable {
  /** The table's folder below the source URL. */
  location: string;
  /** Rooted at that folder. */
  storage: TableStorage;
  /** The current metadata file's key below the folder. */
  metadataKey: string;
  /** As the catalog gave it. */
  metadataLocation: string;
}

/**
 * The folder of a table whose metadata is `metadataLocation`: the catalog's table location when
 * it gave one and the metadata lies below it, else the folder above `metadata/`.
 */
export function tableFolderOf(metadataLocation: string, location: string | undefined): string {
  const normalized = location?.replace(/\/+$/, '');
  if (normalized && metadataLocation.startsWith(`${normalized}/`)) return `${normalized}/`;
  const m = /^(.*\/)metadata\/[^/]+$/.exec(metadataLocation);
  return m ? m[1]! : metadataLocation.replace(/[^/]+$/, '');
}

/** Resolves `identifier` through source `sourceName`'s catalog and opens its folder in the source's bucket. */
export async function openCatalogTable(sources: SourceRegistry, sourceName: string, identifier: string): Promise<ResolvedCatalogTable> {
  const catalog = catalogOf(sources, sourceName);
  const table = await catalog.loadTable(identifier);
  const client = sources.get(sourceName);
  const folderUri = tableFolderOf(table.metadataLocation, table.location);
  const m = /^s3a?:\/\/([^/]+)\/(.*)$/.exec(folderUri);
  const root = client.prefix;
  if (!m || m[1] !== client.bucket || !m[2]!.startsWith(root)) {
    throw new CatalogError('CatalogBadReply', `${catalog.field}: table ${identifier} is at ${folderUri}, outside source "${sourceName}" (s3://${client.bucket}/${root}); its files are read only below the source's bucket and prefix. Fix: register the table on a source whose url covers ${folderUri}, with the same catalog.`);
  }
  const location = m[2]!.slice(root.length);
  const storage = new S3TableStorage(table.credentials ? vendedClient(client, table.credentials) : client, location);
  return { location, storage, metadataKey: storage.keyOfUri(table.metadataLocation), metadataLocation: table.metadataLocation };
}

/** The latest client built with vended credentials, per source client: one pool, replaced when the catalog vends other keys. */
const vended = new WeakMap<SourceClient, { accessKeyId: string; sessionToken?: string; client: SourceClient }>();

/** `client`'s source with the catalog's vended keys in place of its own credentials (and without its STS role). */
function vendedClient(client: SourceClient, credentials: VendedCredentials): SourceClient {
  const cached = vended.get(client);
  if (cached && cached.accessKeyId === credentials.accessKeyId && cached.sessionToken === credentials.sessionToken) return cached.client;
  // Written as literals: a vended key is never a ${env:}/${file:} reference (those start with "${", which no S3 key does).
  const config = {
    ...client.config, stsRole: undefined,
    credentials: { type: 'accessKey' as const, accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
  };
  const built = createSourceClient(client.name, config);
  vended.set(client, { accessKeyId: credentials.accessKeyId, sessionToken: credentials.sessionToken, client: built });
  return built;
}

