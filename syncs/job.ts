/**
 * A sync job as the worker sees it: the config block resolved into what the engine needs.
 * Pure: no I/O.
 */
import type { ConnectorConfig } from '../config/schema';
import type { TransactionType } from '../datasets/types';
import { listingPrefix } from '../s3/keys';
import { parseSourceUrl } from '../config/source-url';

/** What a sync run needs to know about its job. */
export interface SyncSpec {
  job: string;
  source: string;
  dataset: string;
  mode: 'bulk' | 'incremental' | 'media';
  transaction: TransactionType;
  /** Full key prefix to list. */
  listPrefix: string;
  /** The source URL's key prefix: dataset paths are keys relative to it. */
  sourcePrefix: string;
  filters: ConnectorConfig['syncs'][string]['filters'];
  mediaTypes?: string[];
  /** Objects per listing page, hence per plan and copy activity. */
  pageSize: number;
}

/** Resolves `job` from the config. @throws Error naming the job and the fix when absent. */
export function syncSpec(config: ConnectorConfig, job: string): SyncSpec {
  const sync = config.syncs[job];
  if (!sync) throw new Error(`sync job "${job}" is not in the config. Fix: use one of ${Object.keys(config.syncs).join(', ') || '(none: add one under syncs:)'}.`);
  const source = config.sources[sync.source];
  if (!source) throw new Error(`syncs.${job}.source: source "${sync.source}" is not defined.`);
  const url = parseSourceUrl(source.url);
  if ('problem' in url) throw new Error(`sources.${sync.source}.url: ${url.problem}`);
  const transaction = (sync.transaction ?? (sync.mode === 'bulk' ? 'snapshot' : 'append')).toUpperCase() as TransactionType;
  return {
    job, source: sync.source, dataset: sync.dataset, mode: sync.mode, transaction,
    listPrefix: listingPrefix(url.prefix, sync.subfolder, source.matchSubfolderExactly),
    sourcePrefix: url.prefix, filters: sync.filters, mediaTypes: sync.mediaTypes, pageSize: sync.pageSize,
  };
}
