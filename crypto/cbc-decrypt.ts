/**
 * AES-256-CBC decryption as a stream (the S3 Encryption Client's legacy content cipher, with
 * PKCS#7 padding), in constant memory. CBC has no tag: a wrong key or altered bytes show, at
 * best, as bad padding or a length other than the one the writer recorded; otherwise they pass
 * as garbage. That is why legacy formats are read only on request (clientKms.allowLegacy).
 */
import { createDecipheriv } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { TagMismatchError } from './gcm-decrypt';

/**
 * The error a CBC body ends with when its padding or length is wrong. A kind of TagMismatchError,
 * so every reader treats it as the failed check of an encrypted object (names no secret; one
 * message for every padding failure, so the error tells an attacker nothing about the bytes).
 */
export class CbcDecryptionError extends TagMismatchError {
  override name = 'CbcDecryptionError';
}

/** A Transform that decrypts a CBC body with `key` and `iv`; `plaintextLength` (when recorded) is checked at the end. */
export function cbcDecryptor(key: Buffer, iv: Buffer, plaintextLength?: number): Transform {
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  let produced = 0;
  const checked = (out: Buffer): Buffer => {
    produced += out.length;
    return out;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      const out = checked(decipher.update(chunk));
      done(null, out.length ? out : undefined);
    },
    flush(done: TransformCallback) {
      let last: Buffer;
      try {
        last = checked(decipher.final());
      } catch {
        return done(new CbcDecryptionError('the AES-CBC body does not decrypt to padded plaintext: the ciphertext, its IV or the data key is not the one encrypted'));
      }
      if (plaintextLength !== undefined && produced !== plaintextLength) {
        return done(new CbcDecryptionError(`the AES-CBC body decrypts to ${produced} bytes, not the ${plaintextLength} of x-amz-unencrypted-content-length`));
      }
      done(null, last.length ? last : undefined);
    },
  });
}
