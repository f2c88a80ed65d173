/**
 * One real round trip through a source's own S3 client (the factory under test): list the
 * bucket, then read one object. Used to prove connection options end to end.
 */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { SourceConfig } from '../../config/source-schema';
import { createSourceClient } from '../../s3/client';
import type { HandlerInfo } from '../../s3/http-handler';

/** What one probe saw. */
export interface ProbeResult {
  keys: string[];
  body: string;
  http: HandlerInfo;
}

/** Lists the source's bucket and reads `key` with a fresh client built from `source`; rejects with the SDK's error. */
export async function listAndRead(source: SourceConfig, key: string): Promise<ProbeResult> {
  const client = createSourceClient('probe', source);
  try {
    const list = await client.s3.send(new ListObjectsV2Command({ Bucket: client.bucket }));
    const got = await client.s3.send(new GetObjectCommand({ Bucket: client.bucket, Key: key }));
    const body = await got.Body!.transformToString();
    return { keys: (list.Contents ?? []).map((o) => o.Key!), body, http: client.http };
  } finally {
    client.s3.destroy();
  }
}
