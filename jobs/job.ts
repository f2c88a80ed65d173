/**
 * The one job model: a config block resolved into what its workflow and activities need, with
 * the flags derived from it (its workflow type, whether a sync is incremental, an export's
 * target). The CLI resolves a job to start it; the worker resolves it again from its own config
 * when an activity runs, so refusals hold even for a start that bypassed the CLI. Pure: no I/O.
 *
 * A new kind of job (the table syncs of `tableSyncs:`) joins the `Job` union with its own
 * resolver and workflow type; the CLI's start, schedules and the page-activity skeleton
 * (page-activity.ts) then serve it unchanged.
 */
import type { ConnectorConfig } from '../config/schema';
import { parseSourceUrl } from '../config/source-url';
import type { TransactionType } from '../datasets/types';
import { joinKey, listingPrefix } from '../s3/keys';
import type { JobWorkflowType } from '../shared/temporal-contract';

/** What every job has. */
interface JobBase {
  /** The job's name in the config. */
  name: string;
  /** The source it reads (syncs) or writes (exports). */
  source: string;
  dataset: string;
  /** The source's maxErrorRetries: Temporal retries an activity this many times. */
  maxErrorRetries: number;
}

/** A sync job (`syncs:`): S3 objects into a dataset. */
export interface SyncJob extends JobBase {
  kind: 'sync';
  workflowType: Exclude<JobWorkflowType, 'fileExport' | 'tableSync'>;
  mode: 'bulk' | 'incremental' | 'media';
  transaction: TransactionType;
  /**
   * Whether a run lands only what changed since the job's last run, keeping an index of the
   * keys it landed: every mode but bulk, unless its transaction is a SNAPSHOT.
   */
  incremental: boolean;
  /** Full key prefix to list. */
  listPrefix: string;
  /** The source URL's key prefix: dataset paths are keys relative to it. */
  sourcePrefix: string;
  filters: ConnectorConfig['syncs'][string]['filters'];
  mediaTypes?: string[];
  /** Objects per listing page, hence per plan and copy activity. */
  pageSize: number;
}

/** An export job (`exports:`): a dataset's files to S3. */
export interface ExportJob extends JobBase {
  kind: 'export';
  workflowType: 'fileExport';
  bucket: string;
  /** `<source url path>/<pathPrefix>/`, or '' at the bucket root; keys are this plus the file path. */
  keyPrefix: string;
  cannedAcl?: string;
  mode: 'full' | 'incremental';
  multipartThresholdBytes: number;
  partSizeBytes: number;
}

/**
 * A table sync (`tableSyncs:`): a virtual table's rows into a dataset as Parquet files. `source`
 * is the table's source. Delta tables land what they appended since the last run (APPEND; the
 * first run their whole snapshot, a SNAPSHOT); Parquet and Avro tables, which have no versions,
 * a SNAPSHOT of their current rows every run.
 */
export interface TableSyncJob extends JobBase {
  kind: 'tableSync';
  workflowType: 'tableSync';
  /** The `virtualTables:` entry read. */
  table: string;
  format: 'delta' | 'parquet' | 'avro' | 'iceberg';
  /** The table's folder below the source URL, or (an Iceberg catalog table) its identifier. */
  location: string;
  /** Whether runs land appends after a cursor (delta, iceberg) or a snapshot each time (parquet, avro). */
  incremental: boolean;
  /** Rows per Parquet file written, at most. */
  rowsPerFile: number;
}

/** A resolved job. */
export type Job = SyncJob | ExportJob | TableSyncJob;

/** The config names a job that does not exist, or one of another kind. Bad usage: never retried. */
export class UnknownJobError extends Error {
  override name = 'UnknownJobError';
}

/** The config forbids an export (exports not enabled, a public ACL not allowed). Never retried. */
export class ExportRefusedError extends Error {
  override name = 'ExportRefused';
}

/** Canned ACLs that make exported files readable (or writable) by anyone. */
export const PUBLIC_ACLS: ReadonlySet<string> = new Set(['public-read', 'public-read-write']);

const KINDS = { sync: { block: 'syncs', noun: 'sync' }, export: { block: 'exports', noun: 'export' } } as const;

/** The error for `name`, which is not a job of `kind`, saying what it is instead and what exists. */
function unknownJob(config: ConnectorConfig, name: string, kind: 'sync' | 'export'): UnknownJobError {
  const other = kind === 'sync' ? 'export' : 'sync';
  const names = Object.keys(config[KINDS[kind].block]);
  const known = names.join(', ') || `(none: add one under ${KINDS[kind].block}:)`;
  const what = name in config[KINDS[other].block]
    ? `"${name}" is ${other === 'export' ? 'an' : 'a'} ${other}, not ${kind === 'export' ? 'an' : 'a'} ${kind}: run it with \`s3-connector ${other} ${name}\`.`
    : `${kind} job "${name}" is not in the config.`;
  return new UnknownJobError(`${what} Fix: use one of the ${kind} jobs: ${known}.`);
}

/** The source `name` of a job block, and its URL's bucket and prefix. */
function jobSource(config: ConnectorConfig, block: string, job: string, name: string) {
  const source = config.sources[name];
  if (!source) throw new UnknownJobError(`${block}.${job}.source: source "${name}" is not defined. Fix: add it under sources:, or use one of ${Object.keys(config.sources).join(', ') || '(none)'}.`);
  const url = parseSourceUrl(source.url);
  if ('problem' in url) throw new UnknownJobError(`sources.${name}.url: ${url.problem}`);
  return { source, url };
}

/** Resolves sync job `name`. @throws UnknownJobError naming the sync jobs that exist. */
export function syncJob(config: ConnectorConfig, name: string): SyncJob {
  const sync = config.syncs[name];
  if (!sync) {
    if (name in (config.tableSyncs ?? {})) throw new UnknownJobError(`"${name}" is a table sync (tableSyncs:), not a sync of objects. Fix: start it with \`s3-connector sync ${name}\`, which runs either kind.`);
    throw unknownJob(config, name, 'sync');
  }
  const { source, url } = jobSource(config, 'syncs', name, sync.source);
  const transaction = (sync.transaction ?? (sync.mode === 'bulk' ? 'snapshot' : 'append')).toUpperCase() as TransactionType;
  return {
    kind: 'sync', name, source: sync.source, dataset: sync.dataset, maxErrorRetries: source.maxErrorRetries,
    workflowType: sync.mode === 'bulk' ? 'bulkImport' : sync.mode === 'media' ? 'mediaSync' : 'incrementalSync',
    mode: sync.mode, transaction, incremental: sync.mode !== 'bulk' && transaction !== 'SNAPSHOT',
    listPrefix: listingPrefix(url.prefix, sync.subfolder, source.matchSubfolderExactly),
    sourcePrefix: url.prefix, filters: sync.filters, mediaTypes: sync.mediaTypes, pageSize: sync.pageSize,
  };
}

/**
 * Resolves export job `name`, enforcing again what the config schema refuses.
 * @throws ExportRefusedError when the target source does not enable exports, or a public canned
 * ACL is not explicitly allowed; UnknownJobError when the job or its source is unknown.
 */
export function exportJob(config: ConnectorConfig, name: string): ExportJob {
  const exp = config.exports[name];
  if (!exp) throw unknownJob(config, name, 'export');
  const { source, url } = jobSource(config, 'exports', name, exp.source);
  if (source.exports?.enabled !== true) {
    throw new ExportRefusedError(`export ${name} refused: source "${exp.source}" does not allow exports. Fix: set sources.${exp.source}.exports.enabled: true.`);
  }
  if (exp.cannedAcl && PUBLIC_ACLS.has(exp.cannedAcl) && exp.allowPublicAcl !== true) {
    throw new ExportRefusedError(`export ${name} refused: cannedAcl ${exp.cannedAcl} makes exported files public. Fix: use bucket-owner-full-control, or set exports.${name}.allowPublicAcl: true if that is intended.`);
  }
  return {
    kind: 'export', name, source: exp.source, dataset: exp.dataset, maxErrorRetries: source.maxErrorRetries, workflowType: 'fileExport',
    bucket: url.bucket, keyPrefix: joinKey(normalizePrefix(url.prefix), normalizePrefix(exp.pathPrefix ?? '')),
    cannedAcl: exp.cannedAcl, mode: exp.mode ?? 'full',
    multipartThresholdBytes: exp.multipartThresholdBytes ?? 64 * 1024 ** 2, partSizeBytes: exp.partSizeBytes ?? 64 * 1024 ** 2,
  };
}

/**
 * Resolves table sync `name`, enforcing again what the config schema refuses (a catalog table
 * not of format iceberg). @throws UnknownJobError when the job, its table or the table's source is unknown.
 */
export function tableSyncJob(config: ConnectorConfig, name: string): TableSyncJob {
  const sync = (config.tableSyncs ?? {})[name];
  if (!sync) throw new UnknownJobError(`table sync "${name}" is not in the config. Fix: use one of the table syncs: ${Object.keys(config.tableSyncs ?? {}).join(', ') || '(none: add one under tableSyncs:)'}.`);
  const table = config.virtualTables[sync.table];
  if (!table) throw new UnknownJobError(`tableSyncs.${name}.table: table "${sync.table}" is not in virtualTables. Fix: add it there, or use one of ${Object.keys(config.virtualTables).join(', ') || '(none)'}.`);
  const location = table.location ?? (table.format === 'iceberg' ? table.identifier : undefined);
  if (location === undefined) {
    throw new UnknownJobError(`tableSyncs.${name}.table: table "${sync.table}" is a ${table.format} table without a location (identifier: names Iceberg catalog tables only). Fix: give virtualTables.${sync.table}.location (the table's folder).`);
  }
  const { source } = jobSource(config, `virtualTables.${sync.table}`, name, table.source);
  return {
    kind: 'tableSync', name, source: table.source, dataset: sync.dataset, maxErrorRetries: source.maxErrorRetries, workflowType: 'tableSync',
    table: sync.table, format: table.format, location, incremental: table.format === 'delta' || table.format === 'iceberg', rowsPerFile: sync.rowsPerFile,
  };
}

/** Resolves `name` for `sync JOB`: a table sync when `tableSyncs:` has it, else a sync of objects. */
export function anySyncJob(config: ConnectorConfig, name: string): SyncJob | TableSyncJob {
  if (name in (config.tableSyncs ?? {})) return tableSyncJob(config, name);
  if (name in config.syncs || name in config.exports) return syncJob(config, name);
  const names = [...Object.keys(config.syncs), ...Object.keys(config.tableSyncs ?? {})];
  throw new UnknownJobError(`sync job "${name}" is not in the config (syncs: or tableSyncs:). Fix: use one of ${names.join(', ') || '(none: add one under syncs: or tableSyncs:)'}.`);
}

/** A path prefix with empty segments dropped: `out//a/` -> `out/a`, `/` -> ''. */
export function normalizePrefix(prefix: string): string {
  return prefix.split('/').filter((s) => s !== '').join('/');
}
