/**
 * Envelopes of the AWS S3 Encryption Client built from its specification with node:crypto, for
 * tests: the v2 format (AES-256-GCM, x-amz-key-v2), the key-committing V3 format (x-amz-3,
 * HKDF-SHA512) and the legacy ones (sealLegacy). `wrapped` is whatever the caller's KMS (or stub) returned for the data key.
 */
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** An encrypted body and the user metadata (without x-amz-meta-) that goes with it. */
export interface Sealed {
  body: Buffer;
  metadata: Record<string, string>;
}

/** Encrypts `plaintext` in the v2 format with `dataKey`; `context` is stored as x-amz-matdesc. */
export function sealV2(plaintext: Buffer, dataKey: Buffer, wrapped: Buffer, context: Record<string, string>): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv, { authTagLength: 16 });
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { body, metadata: {
    'x-amz-key-v2': wrapped.toString('base64'), 'x-amz-iv': iv.toString('base64'), 'x-amz-cek-alg': 'AES/GCM/NoPadding',
    'x-amz-wrap-alg': 'kms+context', 'x-amz-matdesc': JSON.stringify(context), 'x-amz-tag-len': '128',
  } };
}

/** Encrypts `plaintext` in the key-committing V3 format (suite 0x0073) with `dataKey`. */
export function sealCommitting(plaintext: Buffer, dataKey: Buffer, wrapped: Buffer, context: Record<string, string>): Sealed {
  const messageId = randomBytes(28);
  const info = (label: string) => Buffer.concat([Buffer.from([0x00, 0x73]), Buffer.from(label)]);
  const key = Buffer.from(hkdfSync('sha512', dataKey, messageId, info('DERIVEKEY'), 32));
  const commitment = Buffer.from(hkdfSync('sha512', dataKey, messageId, info('COMMITKEY'), 28));
  const cipher = createCipheriv('aes-256-gcm', key, Buffer.alloc(12, 0x01), { authTagLength: 16 });
  cipher.setAAD(Buffer.from([0x00, 0x73]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { body, metadata: {
    'x-amz-c': '115', 'x-amz-3': wrapped.toString('base64'), 'x-amz-w': '12', 'x-amz-t': JSON.stringify(context),
    'x-amz-d': commitment.toString('base64'), 'x-amz-i': messageId.toString('base64'),
  } };
}

/** The legacy envelopes (content-metadata.md): V1 (x-amz-key, AES-CBC), V2 with AES-CBC, V2 with AES-GCM and a `kms` wrap. */
export type LegacyKind = 'v1-cbc' | 'v2-cbc' | 'v2-gcm-kms';

/**
 * Encrypts `plaintext` in a legacy format with `dataKey`, wrapped by `kms` (KmsV1: `context`, the
 * key description, is stored as x-amz-matdesc and was the encryption context of the wrap).
 */
export function sealLegacy(kind: LegacyKind, plaintext: Buffer, dataKey: Buffer, wrapped: Buffer, context: Record<string, string>): Sealed {
  if (kind === 'v2-gcm-kms') {
    const sealed = sealV2(plaintext, dataKey, wrapped, context);
    return { body: sealed.body, metadata: { ...sealed.metadata, 'x-amz-wrap-alg': 'kms' } };
  }
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', dataKey, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const common = { 'x-amz-iv': iv.toString('base64'), 'x-amz-matdesc': JSON.stringify(context), 'x-amz-wrap-alg': 'kms', 'x-amz-unencrypted-content-length': String(plaintext.length) };
  if (kind === 'v1-cbc') return { body, metadata: { 'x-amz-key': wrapped.toString('base64'), ...common } };
  return { body, metadata: { 'x-amz-key-v2': wrapped.toString('base64'), 'x-amz-cek-alg': 'AES/CBC/PKCS5Padding', ...common } };
}
