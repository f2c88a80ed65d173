/**
 * Z85 (ZeroMQ's Base85), the encoding of inline deletion vectors and of the UUIDs that name
 * deletion vector files (Delta PROTOCOL.md "Deletion Vector Descriptor Schema").
 */
import { DeltaTableError } from './errors';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const DIGITS = new Map([...ALPHABET].map((c, i) => [c, i]));

/**
 * Decodes Z85 text (a multiple of 5 characters) into bytes (4 per 5 characters). A last group
 * that starts with `#` is the padded tail written by the Rust `z85` crate (delta-rs,
 * delta-kernel-rs): each leading `#` stands for one byte fewer, the rest of the group holds
 * the tail's bytes as a number (`##093` is the two bytes 03 00). Standard Z85 never starts a
 * group with `#` (it would exceed 32 bits), so the two cannot be confused.
 */
export function z85Decode(text: string): Uint8Array {
  if (text.length % 5 !== 0) throw new DeltaTableError(`Z85 text of ${text.length} characters is not a multiple of 5`);
  const tail = text.length > 0 ? /^#{1,3}/.exec(text.slice(-5))?.[0].length : undefined;
  if (tail !== undefined) {
    const head = z85Decode(text.slice(0, -5));
    const group = z85Decode('0'.repeat(tail) + text.slice(-5 + tail));
    if (group.subarray(0, tail).some((b) => b !== 0)) throw new DeltaTableError('invalid padded Z85 tail (over its byte count)');
    const out = new Uint8Array(head.length + 4 - tail);
    out.set(head);
    out.set(group.subarray(tail), head.length);
    return out;
  }
  const out = new Uint8Array((text.length / 5) * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < text.length; i += 5) {
    let value = 0;
    for (let j = 0; j < 5; j++) {
      const digit = DIGITS.get(text[i + j] as string);
      if (digit === undefined) throw new DeltaTableError(`invalid Z85 character "${text[i + j]}"`);
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) throw new DeltaTableError('invalid Z85 group (over 32 bits)');
    view.setUint32((i / 5) * 4, value, false);
  }
  return out;
}

/** Decodes the 20-character Z85 form of a UUID into its canonical text (8-4-4-4-12 hex digits). */
export function z85DecodeUuid(text: string): string {
  if (text.length !== 20) throw new DeltaTableError(`a Z85 UUID has 20 characters, not ${text.length}: "${text}"`);
  const hex = Buffer.from(z85Decode(text)).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
