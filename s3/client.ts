/**
 * The one S3 client factory. Every connection option of a source is applied here.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { SourceConfig } from '../config/source-schema';
import { isAwsEndpoint, parseEndpoint, parseSourceUrl, type SourceLocation } from '../config/source-url';
import { credentialProvider } from './credentials';
import { createRequestHandler, type HandlerInfo } from './http-handler';
import { createSourceKms, type SourceKms } from './kms-client';
import { leanClient, type ObjectReader, type ObjectWriter } from './lean-client';

/** A ready client for one source, with where its data lives. */
export interface SourceClient extends SourceLocation {
  name: string;
  config: SourceConfig;
  s3: S3Client;
  http: HandlerInfo;
  /** GetObject on a lean path (see lean-client.ts), for syncs' per-object reads. */
  read: ObjectReader;
  /** PutObject on the same path (a buffer, or a stream of known length), for exports of single-part files. */
  write: ObjectWriter;
  /** The KMS client of a source with `clientKms` (client-side encryption), else undefined. */
  kms?: SourceKms;
}

/** Builds the S3 client of source `name`. Secrets are resolved lazily, when a request is signed. */
export function createSourceClient(name: string, config: SourceConfig): SourceClient {
  const field = `sources.${name}`;
  const url = parseSourceUrl(config.url);
  const endpoint = parseEndpoint(config.endpoint);
  if ('problem' in url) throw new Error(`${field}.url: ${url.problem}`);
  if ('problem' in endpoint) throw new Error(`${field}.endpoint: ${endpoint.problem}`);
  const aws = isAwsEndpoint(endpoint.url);
  const host = new URL(endpoint.url).hostname;
  const requestHost = config.pathStyleAccess ? host : `${url.bucket}.${host}`;
  const { handler, info, transport } = createRequestHandler(config, requestHost, field);
  // A region named in the endpoint wins (a contradicting one fails to sign).
  const region = endpoint.regionInHost ?? config.region ?? 'us-east-1';
  const s3 = new S3Client({
    endpoint: endpoint.url,
    region,
    forcePathStyle: config.pathStyleAccess,
    credentials: credentialProvider(config, field),
    requestHandler: handler,
    // Each request is retried maxErrorRetries times (backoff with jitter; 'adaptive' also lowers
    // the request rate while the store throttles). On workers, Temporal retries whole activities
    // on top, and page activities retry each object's lean GET or PUT (README "Retries").
    maxAttempts: config.maxErrorRetries + 1,
    retryMode: 'adaptive',
    // AWS accepts the SDK's default CRC32 request checksums; several S3-compatible stores reject
    // the aws-chunked trailer they need, so elsewhere checksums are sent only where the API
    // requires them. Our own SHA-256 verification does not depend on either.
    requestChecksumCalculation: aws ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED',
    responseChecksumValidation: aws ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED',
  });
  // The SDK's resolved provider caches credentials until they near expiry; the reader shares it.
  const { read, write } = leanClient({ endpoint: new URL(endpoint.url), bucket: url.bucket, region, pathStyle: config.pathStyleAccess,
    credentials: () => s3.config.credentials(), transport });
  return { name, config, s3, http: info, read, write, bucket: url.bucket, prefix: url.prefix, kms: createSourceKms(name, config) };
}
