/**
 * Credential providers for a source: accessKey, oidc (AssumeRoleWithWebIdentity with a token
 * file) or cloudIdentity (the default provider chain), optionally with an STS role assumed on
 * top. Temporary credentials are refreshed ahead of expiry so a job can outlive one session.
 */
import { readFileSync } from 'node:fs';
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { SourceConfig } from '../config/source-schema';
import { resolveSecret, SecretResolutionError } from '../config/secret-ref';
import { isAwsEndpoint, parseEndpoint } from '../config/source-url';
import { classifyS3Error, S3OperationError, SECRET_RESOLUTION_CODE } from './errors';
import { createRequestHandler } from './http-handler';

/** Refresh temporary credentials when less than this remains (AWS SDKs use 5 minutes too). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Caches a provider's credentials and fetches new ones once they are within `marginMs` of
 * expiring. Concurrent callers share one in-flight refresh.
 */
export function refreshingProvider(
  fetch: () => Promise<AwsCredentialIdentity>,
  marginMs = REFRESH_MARGIN_MS,
  now: () => number = Date.now,
): AwsCredentialIdentityProvider {
  let current: AwsCredentialIdentity | undefined;
  let inflight: Promise<AwsCredentialIdentity> | undefined;
  return async () => {
    const fresh = current && (!current.expiration || current.expiration.getTime() - marginMs > now());
    if (fresh) return current!;
    inflight ??= fetch().then((creds) => { current = creds; return creds; }).finally(() => { inflight = undefined; });
    return inflight;
  };
}

function stsClientFor(source: SourceConfig, field: string, stsEndpoint: string | undefined, credentials?: AwsCredentialIdentityProvider): STSClient {
  const endpoint = parseEndpoint(source.endpoint);
  const endpointUrl = 'problem' in endpoint ? undefined : endpoint.url;
  // On AWS, STS is its own regional service; on S3-compatible stores (MinIO, ...) STS is served
  // by the store's own endpoint.
  const target = stsEndpoint ?? (endpointUrl && !isAwsEndpoint(endpointUrl) ? endpointUrl : undefined);
  const host = target ? new URL(target).hostname : `sts.${source.region ?? 'us-east-1'}.amazonaws.com`;
  return new STSClient({
    region: source.region ?? 'us-east-1',
    endpoint: target,
    credentials,
    maxAttempts: source.maxErrorRetries + 1,
    requestHandler: createRequestHandler(source, host, field).handler,
  });
}

/**
 * Calls STS and rewords its failures: network trouble stays transient (retried), a rejected
 * token, role or key is permanent, and the message names the config field and the fix.
 */
async function callSts<T>(field: string, operation: string, fix: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const classified = classifyS3Error(err, operation, '', operation);
    // The source's own secret was not resolved: that message names the field and its fix.
    if (classified.code === SECRET_RESOLUTION_CODE) throw classified;
    const reason = (err as Error).message ?? String(err);
    throw new S3OperationError(classified.kind === 'transient' ? 'transient' : 'permanent', classified.code,
      `${field}: ${operation} failed: ${reason}. Fix: ${fix}`, classified.status);
  }
}

function fromStsResponse(creds: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date } | undefined, what: string): AwsCredentialIdentity {
  if (!creds?.AccessKeyId || !creds.SecretAccessKey) throw new Error(`${what} returned no credentials.`);
  return { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.SessionToken, expiration: creds.Expiration };
}

/** The base identity: what the source's `credentials` block says. */
function baseProvider(source: SourceConfig, field: string): AwsCredentialIdentityProvider {
  const creds = source.credentials;
  switch (creds.type) {
    case 'accessKey':
      return async () => ({
        accessKeyId: resolveSecret(creds.accessKeyId, `${field}.credentials.accessKeyId`),
        secretAccessKey: resolveSecret(creds.secretAccessKey, `${field}.credentials.secretAccessKey`),
        sessionToken: creds.sessionToken ? resolveSecret(creds.sessionToken, `${field}.credentials.sessionToken`) : undefined,
      });
    case 'oidc': {
      const sts = stsClientFor(source, field, creds.stsEndpoint);
      return refreshingProvider(async () => {
        // The token file is re-read on every refresh: identity providers rotate it.
        let token: string;
        try {
          token = readFileSync(creds.webIdentityTokenFile, 'utf8').trim();
        } catch (err) {
          // A credential the worker cannot read, like a ${file:...} secret: permanent, not retried.
          throw new SecretResolutionError(`${field}.credentials.webIdentityTokenFile: cannot read ${creds.webIdentityTokenFile} (${(err as NodeJS.ErrnoException).code}). Fix: point it at a token file the worker can read.`);
        }
        const out = await callSts(`${field}.credentials`, 'AssumeRoleWithWebIdentity',
          `check that the token in ${creds.webIdentityTokenFile} is current and issued by the identity provider that ${creds.roleArn} trusts.`,
          () => sts.send(new AssumeRoleWithWebIdentityCommand({
            RoleArn: creds.roleArn, RoleSessionName: creds.roleSessionName, WebIdentityToken: token,
          })));
        return fromStsResponse(out.Credentials, 'AssumeRoleWithWebIdentity');
      });
    }
    case 'cloudIdentity':
      return fromNodeProviderChain();
  }
}

/** The provider a source's S3 client signs with. */
export function credentialProvider(source: SourceConfig, field: string): AwsCredentialIdentityProvider {
  const base = baseProvider(source, field);
  const role = source.stsRole;
  if (!role) return base;
  const sts = stsClientFor(source, field, role.stsEndpoint, base);
  return refreshingProvider(async () => {
    const externalId = role.externalId ? resolveSecret(role.externalId, `${field}.stsRole.externalId`) : undefined;
    const out = await callSts(`${field}.stsRole`, 'AssumeRole',
      `check that the source's credentials may assume ${role.roleArn} (its trust policy, externalId and maximum session duration).`,
      () => sts.send(new AssumeRoleCommand({
        RoleArn: role.roleArn, RoleSessionName: role.roleSessionName, DurationSeconds: role.roleSessionDuration, ExternalId: externalId,
      })));
    return fromStsResponse(out.Credentials, 'AssumeRole');
  });
}
