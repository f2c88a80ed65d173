/**
 * The key-committing suite ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY (s3-encryption/key-derivation.md):
 * the content key and a commitment to it are both derived from the data key by HKDF-SHA512,
 * salted with the object's message id. A stored commitment that differs means the data key does
 * not belong to this object (a swapped envelope): it is refused before any byte is decrypted.
 */
import { hkdfSync, timingSafeEqual } from 'node:crypto';
import { COMMITTING_SUITE_ID } from './envelope';

/** The suite id as the two bytes HKDF's info and the GCM AAD start with. */
export const SUITE_ID_BYTES = Buffer.from([COMMITTING_SUITE_ID >> 8, COMMITTING_SUITE_ID & 0xff]);

/** The IV of the committing suite: the derived key is used once, so a fixed IV (twelve 0x01 bytes) is safe. */
export const COMMITTING_IV = Buffer.alloc(12, 0x01);

/** A 28-byte message id: the HKDF salt. */
export const MESSAGE_ID_BYTES = 28;

function expand(dataKey: Buffer, messageId: Buffer, label: string, length: number): Buffer {
  return Buffer.from(hkdfSync('sha512', dataKey, messageId, Buffer.concat([SUITE_ID_BYTES, Buffer.from(label, 'utf8')]), length));
}

/** The AES-256 content key of an object, from its data key and message id. */
export function deriveContentKey(dataKey: Buffer, messageId: Buffer): Buffer {
  return expand(dataKey, messageId, 'DERIVEKEY', 32);
}

/** The key commitment of a data key and message id, `length` bytes (the stored value's length; 28 by the suite). */
export function keyCommitment(dataKey: Buffer, messageId: Buffer, length = 28): Buffer {
  // HKDF's output of a shorter length is a prefix of a longer one: the stored length decides.
  return expand(dataKey, messageId, 'COMMITKEY', length);
}

/** Whether `stored` is the commitment of `dataKey` and `messageId` (compared in constant time). */
export function commitmentMatches(dataKey: Buffer, messageId: Buffer, stored: Buffer): boolean {
  return timingSafeEqual(keyCommitment(dataKey, messageId, stored.length), stored);
}
