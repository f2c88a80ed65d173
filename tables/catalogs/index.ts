/**
 * The Iceberg catalog of a source (`sources.NAME.catalog`), built on first use and kept for the
 * source's client (so an OAuth2 token or a Glue client is reused). open.ts opens a catalog table
 * (`virtualTables.NAME.identifier`) for the reader.
 */
import type { SourceClient } from '../../s3/client';
import { createRequestHandler, type Transport } from '../../s3/http-handler';
import type { SourceRegistry } from '../../s3/source-registry';
import { S3TableStorage } from '../storage-s3';
import type { IcebergCatalog } from './catalog';
import { filesCatalog } from './files';
import { glueCatalog } from './glue';
import { restCatalog } from './rest';

export { discoverCatalogTables, identifierOf, type CatalogTable, type CatalogTableName, type IcebergCatalog, type VendedCredentials } from './catalog';
export { CatalogError, type CatalogErrorCode } from './errors';

const built = new WeakMap<SourceClient, IcebergCatalog>();

/**
 * The catalog of source `sourceName`.
 * @throws Error naming the field and the fix when the source has no catalog.
 */
export function catalogOf(sources: SourceRegistry, sourceName: string): IcebergCatalog {
  const client = sources.get(sourceName);
  let catalog = built.get(client);
  if (catalog) return catalog;
  const source = client.config;
  const field = `sources.${sourceName}.catalog`;
  const settings = source.catalog;
  if (!settings) {
    throw new Error(`${field}: source "${sourceName}" has no catalog, so its catalog tables (identifier:) cannot be found. Fix: add ${field} (type: files, glue, rest or unity).`);
  }
  switch (settings.type) {
    case 'files': {
      const warehouse = settings.warehousePath === '' || settings.warehousePath.endsWith('/') ? settings.warehousePath : `${settings.warehousePath}/`;
      catalog = filesCatalog(field, new S3TableStorage(client, warehouse), (folder) => new S3TableStorage(client, `${warehouse}${folder}`));
      break;
    }
    case 'glue':
      catalog = glueCatalog(field, sourceName, source, settings);
      break;
    case 'rest':
    case 'unity': {
      // One set of agents per catalog host: the source's proxy (unless nonProxyHosts), TLS and timeouts.
      const transports = new Map<string, Transport>();
      const transportFor = (url: URL) => {
        let transport = transports.get(url.host);
        if (!transport) {
          transport = createRequestHandler(source, url.hostname, `sources.${sourceName}`).transport;
          transports.set(url.host, transport);
        }
        return transport;
      };
      catalog = restCatalog(field, { ...settings, allowLinkLocal: source.allowLinkLocalEndpoint }, transportFor);
      break;
    }
  }
  built.set(client, catalog);
  return catalog;
}
