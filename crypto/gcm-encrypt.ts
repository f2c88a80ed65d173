/**
 * Writing in the S3 Encryption Client's v2 format (content-metadata.md, "V2"): AES-256-GCM with
 * a fresh data key from KMS GenerateDataKey and a random 12-byte IV, the 16-byte tag appended
 * to the ciphertext, and the envelope in the object's metadata. The AWS clients read it.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { SourceKms } from '../s3/kms-client';
import { generateDataKey } from './data-key';

/** The v2 content algorithm, also bound into the KMS encryption context as the clients do. */
export const V2_CONTENT_ALGORITHM = 'AES/GCM/NoPadding';

/** A Transform that encrypts with AES-256-GCM and appends the 16-byte tag when the input ends. */
export function gcmEncryptor(key: Buffer, iv: Buffer): Transform {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      done(null, cipher.update(chunk));
    },
    flush(done: TransformCallback) {
      const last = cipher.final();
      done(null, Buffer.concat([last, cipher.getAuthTag()]));
    },
  });
}

/** An encryptor for one object and the metadata (without `x-amz-meta-`) its envelope is stored as. */
export interface V2Sealer {
  encryptor: Transform;
  metadata: Record<string, string>;
}

/** Asks KMS for a data key bound to the v2 context and returns an encryptor and the v2 envelope. */
export async function sealV2(kms: SourceKms, what: string, signal?: AbortSignal): Promise<V2Sealer> {
  const context = { 'aws:x-amz-cek-alg': V2_CONTENT_ALGORITHM };
  const key = await generateDataKey(kms, context, what, signal);
  const iv = randomBytes(12);
  try {
    return {
      encryptor: gcmEncryptor(key.plaintext, iv),
      metadata: {
        'x-amz-key-v2': key.wrapped.toString('base64'), 'x-amz-iv': iv.toString('base64'), 'x-amz-cek-alg': V2_CONTENT_ALGORITHM,
        'x-amz-wrap-alg': 'kms+context', 'x-amz-matdesc': JSON.stringify(context), 'x-amz-tag-len': '128',
      },
    };
  } finally {
    key.plaintext.fill(0);
  }
}
