/**
 * What job activities get from the worker: its config, one S3 client per source, the dataset
 * store, and each job's request concurrency, which lives as long as the worker.
 */
import type { ConnectorConfig } from '../config/schema';
import type { StoreBackend } from '../datasets/backend';
import type { ConcurrencyRegistry } from '../s3/adaptive-concurrency';
import type { SourceRegistry } from '../s3/source-registry';

/** The worker's dependencies, as sync, export and table activities see them. */
export interface JobDeps {
  config: ConnectorConfig;
  sources: SourceRegistry;
  store: StoreBackend;
  /** The adaptive concurrency of each job on this worker, by job kind and name. */
  concurrency: ConcurrencyRegistry;
}
