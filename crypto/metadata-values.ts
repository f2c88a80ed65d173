/**
 * Values of the S3 Encryption Client's metadata: JSON maps (key descriptions, encryption
 * contexts), base64 bytes, S3's RFC 2047 encoding of non-ASCII values; each parser returns a
 * string saying what is wrong instead of throwing, so the envelope's refusal can name the field.
 */
import type { EnvelopeRefusal } from './envelope';

/**
 * Undoes S3's encoding of non-ASCII metadata values (RFC 2047 `=?UTF-8?B?...?=` or `?Q?`),
 * which the clients may meet on a JSON value with non-ASCII characters.
 */
export function decodeMetadataValue(value: string): string {
  const word = /^=\?UTF-8\?([BQ])\?(.*)\?=$/i.exec(value.trim());
  if (!word) return value;
  const [, encoding = '', text = ''] = word;
  if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
  return Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}

/** Parses a JSON key description or encryption context (x-amz-matdesc, x-amz-t); a string says what is wrong. */
export function parseContext(text: string | undefined, key: string): Record<string, string> | string {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeMetadataValue(text));
  } catch {
    return `${key} is not JSON`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)
    || Object.values(parsed).some((v) => typeof v !== 'string')) return `${key} is not a JSON map of strings`;
  return parsed as Record<string, string>;
}

/** The bytes of a base64 metadata value (of `length` bytes when given); a string says what is wrong. */
export function base64(text: string | undefined, key: string, length?: number): Buffer | string {
  if (text === undefined) return `${key} is missing`;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0 || (length !== undefined && bytes.length !== length)) return `${key} is not ${length ?? 'a non-empty'}${length ? ' bytes of' : ''} base64`;
  return bytes;
}

/** A refusal of a damaged envelope. */
export const malformed = (problem: string): EnvelopeRefusal => ({ refused: 'malformed', problem });
