/**
 * `check SOURCE` on a `clientKms` source: whether its identity may use the key, by the calls
 * reading and exporting make (kms:GenerateDataKey, then kms:Decrypt of that data key). Neither
 * writes anything; the data key is dropped at once.
 */
import { S3OperationError } from '../s3/errors';
import type { SourceKms } from '../s3/kms-client';
import { decryptDataKey, generateDataKey } from './data-key';
import { V2_CONTENT_ALGORITHM } from './gcm-encrypt';

/** One KMS permission probed: ok, missing (denied) or error, with why and the fix. */
export interface KmsProbe {
  permission: 'kms:GenerateDataKey' | 'kms:Decrypt';
  status: 'ok' | 'missing' | 'error';
  detail?: string;
  fix?: string;
}

function failed(permission: KmsProbe['permission'], err: unknown, kms: SourceKms): KmsProbe {
  const denied = err instanceof S3OperationError && (err.code === 'AccessDeniedException' || err.code === 'AccessDenied');
  return denied
    ? { permission, status: 'missing', detail: `${permission} on ${kms.keyId} was denied`, fix: `grant the source's identity ${permission} on ${kms.keyId} (its key policy or an IAM policy)` }
    : { permission, status: 'error', detail: (err as Error).message };
}

/** Probes kms:GenerateDataKey and kms:Decrypt on the source's key (Decrypt only once a data key was made). */
export async function probeKms(kms: SourceKms): Promise<KmsProbe[]> {
  const context = { 'aws:x-amz-cek-alg': V2_CONTENT_ALGORITHM };
  let key;
  try {
    key = await generateDataKey(kms, context, 'check');
  } catch (err) {
    return [failed('kms:GenerateDataKey', err, kms)];
  }
  key.plaintext.fill(0);
  try {
    (await decryptDataKey(kms, key.wrapped, context, 'check')).fill(0);
  } catch (err) {
    return [{ permission: 'kms:GenerateDataKey', status: 'ok' }, failed('kms:Decrypt', err, kms)];
  }
  return [{ permission: 'kms:GenerateDataKey', status: 'ok' }, { permission: 'kms:Decrypt', status: 'ok' }];
}
