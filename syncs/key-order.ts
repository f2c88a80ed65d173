/**
 * S3 lists keys in the binary order of their UTF-8 bytes. JavaScript compares strings by
 * UTF-16 code units, which disagrees for characters outside the BMP, so every merge against a
 * listing compares bytes.
 */

/** Negative, zero or positive, as `a` sorts before, equal to or after `b` in S3's order. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
