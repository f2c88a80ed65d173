/**
 * The envelope of an object written by the AWS S3 Encryption Client, read from its metadata (or
 * its instruction file): which format, the wrapped data key, the IV or message id, and the KMS
 * encryption context. Formats are named as the client's specification names them
 * (s3-encryption/data-format/content-metadata.md): V1 (`x-amz-key`), V2 (`x-amz-key-v2`) and the
 * key-committing V3 (`x-amz-c`, `x-amz-3`, ...).
 */
import { legacyEnvelope } from './legacy-envelope';
import { base64, malformed, parseContext } from './metadata-values';

/**
 * The formats read: `v2` (AES-256-GCM) and `v3-committing` (AES-256-GCM, HKDF-SHA512 key
 * commitment); with clientKms.allowLegacy also the legacy ones (crypto/legacy-envelope.ts):
 * `legacy-v1-cbc` (x-amz-key, AES-CBC), `legacy-v2-cbc` (x-amz-key-v2, AES-CBC) and
 * `legacy-v2-gcm` (x-amz-key-v2, AES-GCM, data key wrapped by `kms` without the content algorithm in its context).
 */
export type EnvelopeFormat = 'v2' | 'v3-committing' | LegacyFormat;

/** The legacy formats, read only when a source opts in (clientKms.allowLegacy). */
export type LegacyFormat = 'legacy-v1-cbc' | 'legacy-v2-cbc' | 'legacy-v2-gcm';

/** The suite id of ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, 0x0073 (written as "115" in x-amz-c). */
export const COMMITTING_SUITE_ID = 0x0073;

/** What decrypting an object needs; no secret (the data key is still wrapped by KMS). */
export interface Envelope {
  format: EnvelopeFormat;
  /** The data key as KMS encrypted it. */
  wrappedKey: Buffer;
  /** The KMS encryption context, parsed from JSON (compared as a map, never as text). */
  context: Record<string, string>;
  /** v2: the GCM IV (12 bytes); legacy CBC: the CBC IV (16 bytes). */
  iv?: Buffer;
  /** The content cipher: AES-GCM, or AES-CBC with PKCS#7 padding (legacy, unauthenticated). */
  cipher: 'gcm' | 'cbc';
  /** Legacy: the plaintext's length the writer recorded (x-amz-unencrypted-content-length), checked at the end. */
  plaintextLength?: number;
  /** v3-committing: the message id (HKDF salt, 28 bytes) and the stored key commitment. */
  messageId?: Buffer;
  commitment?: Buffer;
  /** The GCM tag's length in bytes (16; 0 for CBC). */
  tagLength: number;
}

/** An envelope this connector does not decrypt, or a malformed one: `problem` says which and why. */
export interface EnvelopeRefusal {
  refused: 'legacy' | 'unsupported' | 'malformed';
  problem: string;
}

/** Object metadata without the `x-amz-meta-` prefix (as S3 returns user metadata, lower-cased). */
export type CryptoMetadata = Record<string, string | undefined>;

const V1_KEYS = ['x-amz-key'];
const V2_KEYS = ['x-amz-key-v2'];
const V3_KEYS = ['x-amz-c', 'x-amz-3', 'x-amz-d', 'x-amz-i'];

/** Which format's exclusive keys `metadata` carries; `none` for an object without an envelope. */
export function formatOf(metadata: CryptoMetadata): 'v1' | 'v2' | 'v3' | 'none' | 'mixed' {
  const has = (keys: string[]) => keys.some((k) => metadata[k] !== undefined);
  const found = [has(V1_KEYS) && 'v1', has(V2_KEYS) && 'v2', has(V3_KEYS) && 'v3'].filter((f): f is 'v1' | 'v2' | 'v3' => !!f);
  if (found.length > 1) return 'mixed';
  return found[0] ?? 'none';
}



/**
 * Reads the envelope in `metadata`. Returns undefined when it has none (a plaintext object, or
 * one whose envelope is in its instruction file), a refusal for unsupported or malformed
 * envelopes, and for legacy ones unless `allowLegacy`.
 */
export function parseEnvelope(metadata: CryptoMetadata, options: { allowLegacy?: boolean } = {}): Envelope | EnvelopeRefusal | undefined {
  const format = formatOf(metadata);
  if (format === 'none') return undefined;
  if (format === 'mixed') return malformed('the metadata carries keys of several envelope formats (x-amz-key, x-amz-key-v2, x-amz-3)');
  if (format === 'v1') {
    if (options.allowLegacy) return legacyEnvelope(metadata, 'v1');
    return { refused: 'legacy', problem: 'the V1 envelope (x-amz-key, AES-CBC or kms without context) is a legacy format of the S3 Encryption Client' };
  }
  if (format === 'v2') return parseV2(metadata, options.allowLegacy ?? false);
  return parseV3(metadata);
}

function parseV2(m: CryptoMetadata, allowLegacy: boolean): Envelope | EnvelopeRefusal {
  const cek = m['x-amz-cek-alg'];
  const wrap = m['x-amz-wrap-alg'];
  if (cek === 'AES/CBC/PKCS5Padding') {
    if (allowLegacy) return legacyEnvelope(m, 'v2');
    return { refused: 'legacy', problem: 'x-amz-cek-alg AES/CBC/PKCS5Padding is a legacy format (unauthenticated CBC)' };
  }
  if (cek !== 'AES/GCM/NoPadding') return { refused: 'unsupported', problem: `x-amz-cek-alg "${cek ?? ''}" is not AES/GCM/NoPadding` };
  if (wrap === 'kms') {
    if (allowLegacy) return legacyEnvelope(m, 'v2');
    return { refused: 'legacy', problem: 'x-amz-wrap-alg kms (a data key wrapped without encryption context) is a legacy format' };
  }
  if (wrap !== 'kms+context') return { refused: 'unsupported', problem: `x-amz-wrap-alg "${wrap ?? ''}" is not kms+context (keys wrapped by AES or RSA keyrings need the client's own key)` };
  const tagBits = m['x-amz-tag-len'] ?? '128';
  if (tagBits !== '128') return malformed(`x-amz-tag-len "${tagBits}" is not 128`);
  const wrappedKey = base64(m['x-amz-key-v2'], 'x-amz-key-v2');
  const iv = base64(m['x-amz-iv'], 'x-amz-iv', 12);
  const context = parseContext(m['x-amz-matdesc'], 'x-amz-matdesc');
  for (const part of [wrappedKey, iv, context]) if (typeof part === 'string') return malformed(part);
  const ctx = context as Record<string, string>;
  // The client adds the content algorithm to the context it wraps the key with: a swapped one is refused.
  if (ctx['aws:x-amz-cek-alg'] !== undefined && ctx['aws:x-amz-cek-alg'] !== cek) return malformed(`the encryption context's aws:x-amz-cek-alg "${ctx['aws:x-amz-cek-alg'] ?? ''}" does not name the content algorithm ${cek}`);
  return { format: 'v2', cipher: 'gcm', wrappedKey: wrappedKey as Buffer, iv: iv as Buffer, context: ctx, tagLength: 16 };
}

function parseV3(m: CryptoMetadata): Envelope | EnvelopeRefusal {
  const cek = m['x-amz-c'];
  const wrap = m['x-amz-w'];
  if (cek !== String(COMMITTING_SUITE_ID)) return { refused: 'unsupported', problem: `x-amz-c "${cek ?? ''}" is not ${COMMITTING_SUITE_ID} (ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY)` };
  if (wrap !== '12') return { refused: 'unsupported', problem: `x-amz-w "${wrap ?? ''}" is not 12 (kms+context; keys wrapped by AES or RSA keyrings need the client's own key)` };
  const wrappedKey = base64(m['x-amz-3'], 'x-amz-3');
  const messageId = base64(m['x-amz-i'], 'x-amz-i', 28);
  const commitment = base64(m['x-amz-d'], 'x-amz-d');
  const context = parseContext(m['x-amz-t'], 'x-amz-t');
  for (const part of [wrappedKey, messageId, commitment, context]) if (typeof part === 'string') return malformed(part);
  const ctx = context as Record<string, string>;
  if (ctx['aws:x-amz-cek-alg'] !== undefined && ctx['aws:x-amz-cek-alg'] !== cek) return malformed(`the encryption context's aws:x-amz-cek-alg "${ctx['aws:x-amz-cek-alg']}" does not name the content algorithm ${cek}`);
  if ((commitment as Buffer).length < 28) return malformed('x-amz-d is shorter than a 28-byte key commitment');
  return { format: 'v3-committing', cipher: 'gcm', wrappedKey: wrappedKey as Buffer, messageId: messageId as Buffer, commitment: commitment as Buffer,
    context: context as Record<string, string>, tagLength: 16 };
}
