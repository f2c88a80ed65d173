/** What sync activities need: the worker's config, S3 clients per source, the dataset store. */
import type { SourceRegistry } from '../activities/source-registry';
import type { ConnectorConfig } from '../config/schema';
import type { StoreBackend } from '../datasets/backend';

export interface SyncDeps {
  config: ConnectorConfig;
  sources: SourceRegistry;
  store: StoreBackend;
}
