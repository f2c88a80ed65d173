/**
 * An export job as the worker sees it: the config block resolved into a target bucket, a key
 * prefix and upload settings, after re-checking what the config schema refuses (an activity may
 * run with a config that bypassed validation, so the refusals are enforced here too). Pure.
 */
import type { ConnectorConfig } from '../config/schema';
import { parseSourceUrl } from '../config/source-url';
import { joinKey } from '../s3/keys';

/** Canned ACLs that make exported files readable (or writable) by anyone. */
export const PUBLIC_ACLS: ReadonlySet<string> = new Set(['public-read', 'public-read-write']);

/** What an export run needs to know about its job. */
export interface ExportSpec {
  job: string;
  dataset: string;
  source: string;
  bucket: string;
  /** `<source url path>/<pathPrefix>/`, or '' at the bucket root; keys are this plus the file path. */
  keyPrefix: string;
  cannedAcl?: string;
  mode: 'full' | 'incremental';
  multipartThresholdBytes: number;
  partSizeBytes: number;
}

/** Thrown when the config forbids an export; never retried. */
export class ExportRefusedError extends Error {
  override name = 'ExportRefused';
}

/** A path prefix with empty segments dropped: `out//a/` -> `out/a`, `/` -> ''. */
export function normalizePrefix(prefix: string): string {
  return prefix.split('/').filter((s) => s !== '').join('/');
}

/** The object key of dataset file `path` below `keyPrefix`: exactly one slash between parts. */
export function exportKey(keyPrefix: string, path: string): string {
  return joinKey(keyPrefix, path);
}

/**
 * Resolves export `job` of `config`.
 * @throws ExportRefusedError when the target source does not enable exports, or when a public
 * canned ACL is not explicitly allowed; Error when the job or its source is unknown.
 */
export function exportSpec(config: ConnectorConfig, job: string): ExportSpec {
  const exp = config.exports[job];
  if (!exp) throw new Error(`export job "${job}" is not in the config. Fix: use one of ${Object.keys(config.exports).join(', ') || '(none: add one under exports:)'}.`);
  const source = config.sources[exp.source];
  if (!source) throw new Error(`exports.${job}.source: source "${exp.source}" is not defined.`);
  if (source.exports?.enabled !== true) {
    throw new ExportRefusedError(`export ${job} refused: source "${exp.source}" does not allow exports. Fix: set sources.${exp.source}.exports.enabled: true.`);
  }
  if (exp.cannedAcl && PUBLIC_ACLS.has(exp.cannedAcl) && exp.allowPublicAcl !== true) {
    throw new ExportRefusedError(`export ${job} refused: cannedAcl ${exp.cannedAcl} makes exported files public. Fix: use bucket-owner-full-control, or set exports.${job}.allowPublicAcl: true if that is intended.`);
  }
  const url = parseSourceUrl(source.url);
  if ('problem' in url) throw new Error(`sources.${exp.source}.url: ${url.problem}`);
  const prefix = joinKey(normalizePrefix(url.prefix), normalizePrefix(exp.pathPrefix ?? ''));
  return {
    job, dataset: exp.dataset, source: exp.source, bucket: url.bucket, keyPrefix: prefix,
    cannedAcl: exp.cannedAcl, mode: exp.mode ?? 'full',
    multipartThresholdBytes: exp.multipartThresholdBytes ?? 64 * 1024 ** 2, partSizeBytes: exp.partSizeBytes ?? 64 * 1024 ** 2,
  };
}

/** `s3://bucket/prefix/` of an export's target, for messages and results. */
export function targetUrl(spec: ExportSpec): string {
  return `s3://${spec.bucket}/${spec.keyPrefix === '' ? '' : `${spec.keyPrefix}/`}`;
}
