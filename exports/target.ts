/** Where an export job's files go: object keys and the target's URL. Pure. */
import type { ExportJob } from '../jobs/job';

/**
 * The object key of dataset file `path` below `keyPrefix` (already without empty segments, see
 * jobs/job.ts): the prefix and the path's non-empty segments, one slash between each. A path's
 * empty segments (a leading or trailing `/`, a `//`) are dropped because stores disagree about
 * them: S3 keeps `/a.txt` and `a//b` as keys of their own, MinIO stores `/a.txt` as `a.txt` and
 * refuses `a//b`. Two paths that differ only there get the same key; planExport refuses them.
 */
export function exportKey(keyPrefix: string, path: string): string {
  let key = keyPrefix;
  for (const segment of path.split('/')) {
    if (segment !== '') key = key === '' ? segment : `${key}/${segment}`;
  }
  return key;
}

/**
 * Whether exportKey changes `path` beyond putting the prefix before it (it has an empty segment).
 * Paths it does not change cannot share a key: the view holds each path once.
 */
export function keyRewritesPath(path: string): boolean {
  return path === '' || path.startsWith('/') || path.endsWith('/') || path.includes('//');
}

/** `s3://bucket/prefix/` of an export's target, for messages and results. */
export function targetUrl(job: Pick<ExportJob, 'bucket' | 'keyPrefix'>): string {
  return `s3://${job.bucket}/${job.keyPrefix === '' ? '' : `${job.keyPrefix}/`}`;
}
