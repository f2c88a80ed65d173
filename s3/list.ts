/**
 * Listing, one page at a time, so huge prefixes stream instead of being held in memory.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { classifyS3Error } from './errors';
import { decodeListedKey } from './keys';
import type { SourceClient } from './client';

/** One listed object. */
export interface ListedObject {
  key: string;
  size: number;
  lastModified: string;
  etag: string;
}

/** One page of a listing: objects, folders (common prefixes) and the token of the next page. */
export interface ListPage {
  objects: ListedObject[];
  folders: string[];
  nextToken: string | undefined;
}

/** Options of listPage. */
export interface ListOptions {
  prefix: string;
  delimiter?: string;
  token?: string;
  /** At most 1000, the ListObjectsV2 maximum. */
  pageSize?: number;
}

/** Lists one page below `prefix` (a full key prefix, not relative to the source). */
export async function listPage(client: SourceClient, options: ListOptions): Promise<ListPage> {
  try {
    const out = await client.s3.send(new ListObjectsV2Command({
      Bucket: client.bucket,
      Prefix: options.prefix || undefined,
      Delimiter: options.delimiter,
      ContinuationToken: options.token,
      MaxKeys: Math.min(options.pageSize ?? 1000, 1000),
      // Keys may contain characters that XML 1.0 cannot carry; ask for url-encoded keys.
      EncodingType: 'url',
    }));
    // Decode only what the store says it encoded: a store that ignores EncodingType returns raw
    // keys, and decoding those would corrupt any key holding `%` or `+`.
    const decode = out.EncodingType === 'url' ? decodeListedKey : (key: string) => key;
    return {
      objects: (out.Contents ?? []).map((o) => ({
        key: decode(o.Key ?? ''),
        size: o.Size ?? 0,
        lastModified: (o.LastModified ?? new Date(0)).toISOString(),
        etag: o.ETag ?? '',
      })),
      folders: (out.CommonPrefixes ?? []).map((p) => decode(p.Prefix ?? '')),
      nextToken: out.IsTruncated ? out.NextContinuationToken : undefined,
    };
  } catch (err) {
    throw classifyS3Error(err, 'ListObjectsV2', client.bucket, `ListObjectsV2 s3://${client.bucket}/${options.prefix}`);
  }
}

/** Every page below a prefix, fetched lazily: memory holds one page at a time. */
export async function* listAll(client: SourceClient, options: Omit<ListOptions, 'token'>): AsyncGenerator<ListPage> {
  let token: string | undefined;
  do {
    const page = await listPage(client, { ...options, token });
    yield page;
    token = page.nextToken;
  } while (token);
}
