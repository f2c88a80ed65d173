/** Where an export job's files go: object keys and the target's URL. Pure. */
import type { ExportJob } from '../jobs/job';
import { joinKey } from '../s3/keys';

/** The object key of dataset file `path` below `keyPrefix`: exactly one slash between parts. */
export function exportKey(keyPrefix: string, path: string): string {
  return joinKey(keyPrefix, path);
}

/** `s3://bucket/prefix/` of an export's target, for messages and results. */
export function targetUrl(job: Pick<ExportJob, 'bucket' | 'keyPrefix'>): string {
  return `s3://${job.bucket}/${job.keyPrefix === '' ? '' : `${job.keyPrefix}/`}`;
}
