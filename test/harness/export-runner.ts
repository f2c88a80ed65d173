/**
 * Running export workflows in tests, the way the CLI starts them, and reading what landed.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import type { ConnectorConfig } from '../../config/schema';
import type { ExportResult } from '../../workflows/export-types';
import { adminS3 } from './minio-admin';

/** The workflow input of export job `job`. */
export function exportArgs(cfg: ConnectorConfig, job: string) {
  const exp = cfg.exports[job]!;
  return [{ job, source: exp.source, dataset: exp.dataset, maxErrorRetries: cfg.sources[exp.source]!.maxErrorRetries }];
}

/** Runs export job `job` of `cfg` to completion on `taskQueue`. */
export async function runExportJob(client: Client, cfg: ConnectorConfig, job: string, taskQueue: string): Promise<ExportResult> {
  return client.workflow.execute('fileExport', {
    taskQueue, workflowId: `fileExport/${job}/${Math.random().toString(36).slice(2)}`, args: exportArgs(cfg, job),
  });
}

/** Every key of `bucket` below `prefix`, sorted. */
export async function listKeys(bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await adminS3().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

/** SHA-256 (hex) of an object, streamed. */
export async function objectSha256(bucket: string, key: string): Promise<string> {
  const out = await adminS3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash('sha256');
  for await (const chunk of out.Body as Readable) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The multipart uploads still open in `bucket`. */
export async function openUploads(bucket: string): Promise<Array<{ key: string; uploadId: string }>> {
  const out = await adminS3().send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (out.Uploads ?? []).map((u) => ({ key: u.Key!, uploadId: u.UploadId! }));
}
