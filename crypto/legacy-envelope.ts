/**
 * The legacy envelopes of the S3 Encryption Client, read only when a source opts in
 * (clientKms.allowLegacy): the V1 format (`x-amz-key`, always AES-CBC) and the V2 format with
 * AES-CBC content or a data key wrapped by `kms` (s3-encryption/data-format/content-metadata.md).
 * Only KMS-wrapped data keys are read (`x-amz-wrap-alg` `kms` or `kms+context`): keys wrapped by
 * an AES or RSA key need the writer's own key. In `kms` (KmsV1) mode the data key was wrapped with
 * the key description itself as encryption context (typically `{"kms_cmk_id": "<key>"}`), so
 * KMS Decrypt is called with x-amz-matdesc as it stands (s3-encryption/materials/s3-kms-keyring.md).
 */
import type { CryptoMetadata, Envelope, EnvelopeRefusal, LegacyFormat } from './envelope';
import { base64, malformed, parseContext } from './metadata-values';

const CBC = 'AES/CBC/PKCS5Padding';
const GCM = 'AES/GCM/NoPadding';

/** The legacy envelope in `m` (whose format keys say `version`), or why it cannot be read. */
export function legacyEnvelope(m: CryptoMetadata, version: 'v1' | 'v2'): Envelope | EnvelopeRefusal {
  const keyName = version === 'v1' ? 'x-amz-key' : 'x-amz-key-v2';
  // The V1 format is always CBC (content-metadata.md, "Algorithm Suite ... Compatibility").
  const cek = version === 'v1' ? m['x-amz-cek-alg'] ?? CBC : m['x-amz-cek-alg'];
  const wrap = m['x-amz-wrap-alg'];
  if (cek !== CBC && !(version === 'v2' && cek === GCM)) {
    return { refused: 'unsupported', problem: `x-amz-cek-alg "${cek ?? ''}" is not ${version === 'v1' ? CBC : `${CBC} or ${GCM}`}` };
  }
  if (wrap !== 'kms' && wrap !== 'kms+context') {
    return { refused: 'unsupported', problem: `x-amz-wrap-alg "${wrap ?? ''}" is not kms or kms+context (a ${keyName} data key wrapped by an AES or RSA key needs the writer's own key)` };
  }
  const cipher = cek === CBC ? 'cbc' : 'gcm';
  if (cipher === 'gcm' && (m['x-amz-tag-len'] ?? '128') !== '128') return malformed(`x-amz-tag-len "${m['x-amz-tag-len'] ?? ''}" is not 128`);
  const wrappedKey = base64(m[keyName], keyName);
  const iv = base64(m['x-amz-iv'], 'x-amz-iv', cipher === 'cbc' ? 16 : 12);
  const context = parseContext(m['x-amz-matdesc'], 'x-amz-matdesc');
  for (const part of [wrappedKey, iv, context]) if (typeof part === 'string') return malformed(part);
  const lengthText = m['x-amz-unencrypted-content-length'];
  const plaintextLength = lengthText === undefined ? undefined : Number(lengthText);
  if (plaintextLength !== undefined && !(Number.isSafeInteger(plaintextLength) && plaintextLength >= 0 && /^\d+$/.test(lengthText!))) {
    return malformed(`x-amz-unencrypted-content-length "${lengthText}" is not a byte count`);
  }
  const format: LegacyFormat = version === 'v1' ? 'legacy-v1-cbc' : cipher === 'cbc' ? 'legacy-v2-cbc' : 'legacy-v2-gcm';
  return { format, cipher, wrappedKey: wrappedKey as Buffer, iv: iv as Buffer, context: context as Record<string, string>,
    tagLength: cipher === 'gcm' ? 16 : 0, ...(plaintextLength !== undefined ? { plaintextLength } : {}) };
}
