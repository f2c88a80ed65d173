/**
 * Z85 (ZeroMQ's Base85), the encoding of inline deletion vectors and of the UUIDs that name
 * deletion vector files (Delta PROTOCOL.md "Deletion Vector Descriptor Schema").
 */
import { DeltaTableError } from './errors';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const DIGITS = new Map([...ALPHABET].map((c, i) => [c, i]));

/** Decodes Z85 text (a multiple of 5 characters) into bytes (4 per 5 characters). */
export function z85Decode(text: string): Uint8Array {
  if (text.length % 5 !== 0) throw new DeltaTableError(`Z85 text of ${text.length} characters is not a multiple of 5`);
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
