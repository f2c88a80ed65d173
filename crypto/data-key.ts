/**
 * Data keys from KMS: unwrapped with Decrypt (for reading) or made with GenerateDataKey (for
 * writing), both bound to the object's encryption context. Failures are reworded where they are
 * born: a denied call names the permission and the key, a key that does not unwrap names the
 * likely causes; messages never carry the key material or the wrapped key.
 */
import { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { S3OperationError } from '../s3/errors';
import type { SourceKms } from '../s3/kms-client';

const TRANSIENT = new Set(['ThrottlingException', 'KMSInternalException', 'DependencyTimeoutException', 'LimitExceededException',
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'TimeoutError']);

/** A KMS failure of `operation` on the source's key, classified and reworded. */
export function kmsError(err: unknown, operation: 'Decrypt' | 'GenerateDataKey', source: SourceKms, what: string): S3OperationError {
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const code = e.name ?? e.code ?? 'KMSError';
  const status = e.$metadata?.httpStatusCode;
  const key = source.keyId;
  // KMS-compatible services may answer a denial with a bare 403 the SDK cannot name (moto with IAM).
  if (code === 'AccessDeniedException' || code === 'AccessDenied' || status === 403) {
    return new S3OperationError('permanent', 'AccessDeniedException', `${what}: kms:${operation} on key ${key} was denied. Fix: grant the source's identity kms:${operation} on ${key} (its key policy or an IAM policy), or set ${source.field}.keyId to a key it may use.`, status);
  }
  if (code === 'InvalidCiphertextException' || code === 'IncorrectKeyException') {
    return new S3OperationError('permanent', code, `${what}: KMS refused to unwrap the object's data key with key ${key}: the object was encrypted under another key, or its encryption context was changed. Fix: set ${source.field}.keyId to the key the writer used; an object whose metadata was altered cannot be read.`, status);
  }
  if (code === 'NotFoundException' || code === 'DisabledException' || code === 'KMSInvalidStateException' || code === 'InvalidKeyUsageException') {
    return new S3OperationError('permanent', code, `${what}: kms:${operation} failed on key ${key} (${code}: the key is missing, disabled, pending deletion or not a symmetric encryption key). Fix: check ${source.field}.keyId and its region.`, status);
  }
  const transient = TRANSIENT.has(code) || (status !== undefined && status >= 500) || status === undefined;
  return new S3OperationError(transient ? 'transient' : 'permanent', code, `${what}: kms:${operation} on key ${key} failed (${code}).`, status);
}

/** Unwraps an object's data key (32 bytes) under the source's key and the object's encryption context. */
export async function decryptDataKey(source: SourceKms, wrappedKey: Buffer, context: Record<string, string>, what: string, signal?: AbortSignal): Promise<Buffer> {
  let out;
  try {
    out = await source.kms.send(new DecryptCommand({ KeyId: source.keyId, CiphertextBlob: wrappedKey, EncryptionContext: context }), { abortSignal: signal });
  } catch (err) {
    throw kmsError(err, 'Decrypt', source, what);
  }
  if (!out.Plaintext || out.Plaintext.length !== 32) {
    throw new S3OperationError('permanent', 'BadDataKey', `${what}: the data key KMS unwrapped is not 32 bytes (AES-256).`);
  }
  return Buffer.from(out.Plaintext);
}

/** A new data key: its plaintext (32 bytes, kept in memory only) and its KMS-wrapped form. */
export interface DataKey {
  plaintext: Buffer;
  wrapped: Buffer;
}

/** A new AES-256 data key, wrapped by the source's key with `context`. */
export async function generateDataKey(source: SourceKms, context: Record<string, string>, what: string, signal?: AbortSignal): Promise<DataKey> {
  let out;
  try {
    out = await source.kms.send(new GenerateDataKeyCommand({ KeyId: source.keyId, KeySpec: 'AES_256', EncryptionContext: context }), { abortSignal: signal });
  } catch (err) {
    throw kmsError(err, 'GenerateDataKey', source, what);
  }
  if (!out.Plaintext || !out.CiphertextBlob) throw new S3OperationError('transient', 'BadDataKey', `${what}: KMS GenerateDataKey returned no key.`);
  return { plaintext: Buffer.from(out.Plaintext), wrapped: Buffer.from(out.CiphertextBlob) };
}
