/**
 * Opens the config's `datasetStore`: the name of a configured source (datasets live below its
 * URL) or a local folder path (relative paths are taken from the working directory).
 */
import type { SourceRegistry } from '../s3/source-registry';
import type { ConnectorConfig } from '../config/schema';
import type { StoreBackend } from './backend';
import { localBackend } from './local-backend';
import { s3Backend } from './s3-backend';

/** The store backend for `config`. */
export function openStore(config: ConnectorConfig, sources: SourceRegistry): StoreBackend {
  return Object.hasOwn(config.sources, config.datasetStore) ? s3Backend(sources.get(config.datasetStore)) : localBackend(config.datasetStore);
}
