/**
 * AES-256-GCM decryption as a stream, in constant memory. GCM's tag is the body's last 16 bytes,
 * so the transform holds the last 16 bytes back and checks them once the body ended. The
 * plaintext it passes on before that is unverified: its consumer must write it to a temporary
 * place and keep it only when the stream ended without error (the dataset store's ingest()
 * does: a blob appears whole or not at all).
 */
import { createDecipheriv, type DecipherGCM } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** The error a bad tag (tampered bytes, a wrong key) ends the stream with; it names no secret. */
export class TagMismatchError extends Error {
  override name = 'TagMismatchError';
}

/** A Transform that decrypts a GCM body (ciphertext then tag) with `key` and `iv`, and checks the tag at the end. */
export function gcmDecryptor(key: Buffer, iv: Buffer, options: { tagLength?: number; aad?: Buffer } = {}): Transform {
  const tagLength = options.tagLength ?? 16;
  const decipher: DecipherGCM = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagLength });
  if (options.aad) decipher.setAAD(options.aad);
  let held = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      // Keep the last tagLength bytes seen: they may be the tag.
      const all = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
      const cut = all.length - tagLength;
      if (cut <= 0) {
        held = Buffer.from(all);
        return done();
      }
      held = Buffer.from(all.subarray(cut));
      done(null, decipher.update(all.subarray(0, cut)));
    },
    flush(done: TransformCallback) {
      if (held.length < tagLength) return done(new TagMismatchError(`the body is shorter than its ${tagLength}-byte GCM tag`));
      decipher.setAuthTag(held);
      try {
        const last = decipher.final();
        done(null, last.length ? last : undefined);
      } catch {
        done(new TagMismatchError('the GCM tag does not verify: the ciphertext, its IV or the data key is not the one encrypted'));
      }
    },
  });
}
