/**
 * The KMS client of a source with `clientKms`: built like its S3 and STS clients (the same
 * credentials and STS role, proxy, certificates, timeouts and retries), so a data key is
 * unwrapped by the identity that reads the objects.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import type { SourceConfig } from '../config/source-schema';
import { credentialProvider } from './credentials';
import { createRequestHandler } from './http-handler';

/** A source's KMS client and the key it encrypts with. */
export interface SourceKms {
  kms: KMSClient;
  /** The key id, ARN or alias of `clientKms.keyId`. */
  keyId: string;
  /** The config field, for messages (`sources.<name>.clientKms`). */
  field: string;
}

/** The region of a key ARN (`arn:aws:kms:<region>:...`), which wins over any configured region. */
export function regionOfKeyArn(keyId: string): string | undefined {
  return /^arn:[a-z-]+:kms:([a-z0-9-]+):/.exec(keyId)?.[1];
}

/** Builds the KMS client of source `name`; undefined when the source has no `clientKms`. */
export function createSourceKms(name: string, config: SourceConfig): SourceKms | undefined {
  const clientKms = config.clientKms;
  if (!clientKms) return undefined;
  const field = `sources.${name}.clientKms`;
  const region = regionOfKeyArn(clientKms.keyId) ?? clientKms.region ?? config.region ?? 'us-east-1';
  const host = clientKms.kmsEndpoint ? new URL(clientKms.kmsEndpoint).hostname : `kms.${region}.amazonaws.com`;
  const kms = new KMSClient({
    region,
    endpoint: clientKms.kmsEndpoint,
    credentials: credentialProvider(config, `sources.${name}`),
    requestHandler: createRequestHandler(config, host, field).handler,
    maxAttempts: config.maxErrorRetries + 1,
  });
  return { kms, keyId: clientKms.keyId, field };
}
