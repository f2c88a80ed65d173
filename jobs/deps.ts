/** What job activities get from the worker: its config, one S3 client per source, the dataset store. */
import type { ConnectorConfig } from '../config/schema';
import type { StoreBackend } from '../datasets/backend';
import type { SourceRegistry } from '../s3/source-registry';

/** The worker's dependencies, as sync, export and table activities see them. */
export interface JobDeps {
  config: ConnectorConfig;
  sources: SourceRegistry;
  store: StoreBackend;
}
