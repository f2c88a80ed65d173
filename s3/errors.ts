/**
 * Classification of S3 and network errors where they are born: transient ones are worth
 * retrying, permanent ones fail at once. Messages never include credentials or signatures.
 */
import { SecretResolutionError } from '../config/secret-ref';
import { grantingStatement, permissionFor } from '../shared/permissions';

/** transient: retry with backoff. permanent: fail now. gone: the object vanished or changed. */
export type S3ErrorKind = 'transient' | 'permanent' | 'gone';

/** An S3 failure, classified, with a message fit for users and workflow history. */
export class S3OperationError extends Error {
  override name = 'S3OperationError';
  /**
   * @param retryAfterMs how long the store asked to wait before another request (a Retry-After
   * header, sent with 503 SlowDown by some stores).
   */
  constructor(readonly kind: S3ErrorKind, readonly code: string, message: string, readonly status?: number, readonly retryAfterMs?: number) {
    super(message);
  }

  /** Whether the store asked for fewer requests (SlowDown, throttling, 503): the caller should slow down, not only retry. */
  get throttled(): boolean {
    return this.code === 'SlowDown' || this.code === 'ThrottlingException' || this.code === 'RequestLimitExceeded' || this.status === 503;
  }
}

const PERMANENT = new Set(['AccessDenied', 'AllAccessDisabled', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'NoSuchBucket',
  'InvalidBucketName', 'PermanentRedirect', 'AuthorizationHeaderMalformed', 'InvalidRequest', 'InvalidArgument',
  'MethodNotAllowed', 'NotImplemented', 'InvalidObjectState', 'AccountProblem', 'UnauthorizedAccess', 'InvalidClientTokenId']);
const GONE = new Set(['NoSuchKey', 'NotFound', 'NoSuchVersion', 'PreconditionFailed']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH',
  'ENETUNREACH', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Codes of a server that cannot be reached at all (refused, unknown name, no route, no answer). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'TimeoutError']);

/** Whether an error's code says the endpoint could not be reached: no reply, so nothing about permissions. */
export function isUnreachable(code: string | undefined): boolean {
  return UNREACHABLE.has(code ?? '');
}

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
  /** The reply's headers, where the SDK (or the lean client) keeps them. */
  $response?: { headers?: Record<string, string | string[] | undefined> };
}

/** A Retry-After header (seconds, or an HTTP date) in milliseconds; undefined without one. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.min(seconds, 3600) * 1000 : undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - now), 3_600_000);
}

/** The code of a failure to resolve a `${env:...}` or `${file:...}` secret (the worker's config). */
export const SECRET_RESOLUTION_CODE = 'SecretResolutionError';

/**
 * The SecretResolutionError in `err` or its causes. The credential provider throws it while a
 * request is being signed, so it reaches callers as an S3 call's failure, and may come wrapped.
 */
function secretFailureIn(err: unknown): SecretResolutionError | undefined {
  for (let current = err, depth = 0; current && depth < 8; current = (current as { cause?: unknown }).cause, depth++) {
    if (current instanceof SecretResolutionError) return current;
  }
  return undefined;
}

/**
 * Turns anything an S3 call threw into an S3OperationError. `what` describes the request, e.g.
 * `GetObject s3://b/k`. A secret the worker cannot resolve is permanent (a config problem that a
 * retry cannot fix), and keeps its own message: the reference and the fix, never a value.
 */
export function classifyS3Error(err: unknown, operation: string, bucket: string, what: string): S3OperationError {
  if (err instanceof S3OperationError) return err;
  const secret = secretFailureIn(err);
  if (secret) return new S3OperationError('permanent', SECRET_RESOLUTION_CODE, secret.message);
  const e = (err ?? {}) as SdkLikeError;
  // A socket error is a plain Error whose errno (ECONNREFUSED...) is its code: keep that, not "Error".
  const code = e.Code ?? (NETWORK.has(e.code ?? '') || UNREACHABLE.has(e.code ?? '') ? e.code : undefined) ?? e.name ?? e.code ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const retryAfter = retryAfterMs(e.$response?.headers?.['retry-after']);
  const detail = (e.message ?? String(err)).replace(/(X-Amz-(Signature|Credential|Security-Token)=)[^&\s]+/gi, '$1[redacted]');
  // Bad credentials come with 403 too: they are checked first, so they are never reported as a missing permission.
  if (code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch' || code === 'InvalidClientTokenId') {
    return new S3OperationError('permanent', code, `${what}: the store rejected the credentials (${code}). Fix: check the source's credentials (and region).`, status);
  }
  if (code === 'AccessDenied' || status === 403) {
    const permission = permissionFor(operation);
    const fix = permission
      ? ` The credentials lack ${permission}. Fix: grant it with ${grantingStatement(permission, bucket)}.`
      : ' Fix: check the credentials and the bucket policy.';
    return new S3OperationError('permanent', 'AccessDenied', `${what}: access denied.${fix}`, status);
  }
  if (code === 'NoSuchBucket') {
    return new S3OperationError('permanent', code, `${what}: bucket "${bucket}" does not exist. Fix: check the bucket name in the source's url and the endpoint.`, status);
  }
  if (GONE.has(code) || status === 404 || status === 412) {
    return new S3OperationError('gone', code, `${what}: the object no longer exists in the listed version (${code}).`, status);
  }
  if (PERMANENT.has(code)) return new S3OperationError('permanent', code, `${what}: ${code}: ${detail}`, status);
  if (NETWORK.has(e.code ?? '') || NETWORK.has(code) || code === 'TimeoutError' || e.$fault === 'server' || (status ?? 0) >= 500
    || code === 'SlowDown' || code === 'RequestTimeout' || code === 'ThrottlingException' || /socket hang up|timed out|ECONNRESET/i.test(detail)) {
    return new S3OperationError('transient', code, `${what}: ${code}: ${detail}`, status, retryAfter);
  }
  // Other 4xx replies will not change on retry; anything unknown without a status might.
  return new S3OperationError(status && status < 500 ? 'permanent' : 'transient', code, `${what}: ${code}: ${detail}`, status, retryAfter);
}
