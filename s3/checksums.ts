/**
 * What S3 tells about an object's bytes, in the forms both syncs (reading) and exports (writing)
 * compare against: checksum headers carry base64 digests, a single-part ETag is an MD5.
 */

/** A 32-bit checksum (CRC32, or half of a CRC-64) as 8 hex digits, the form digests are compared in. */
export function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** hex -> base64, as S3 checksum headers carry digests. */
export function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

/** base64 -> hex, as x-amz-content-sha256 carries a digest. */
export function base64ToHex(base64: string): string {
  return Buffer.from(base64, 'base64').toString('hex');
}

/** The MD5 hex inside a single-part ETag, or undefined for multipart ETags (they end in -<parts>). */
export function etagMd5(etag: string | undefined): string | undefined {
  return /^"?([0-9a-f]{32})"?$/.exec(etag ?? '')?.[1];
}

/** Whether an object is SSE-KMS encrypted: its ETag is then not the MD5 of its bytes. */
export function kmsEncrypted(reply: { ServerSideEncryption?: string; SSEKMSKeyId?: string }): boolean {
  return reply.SSEKMSKeyId !== undefined || (reply.ServerSideEncryption ?? '').startsWith('aws:kms');
}

/**
 * The part count a multipart ETag announces (`"<hex>-<parts>"`), or undefined for a single-part
 * one. Any multipart ETag, its hex an MD5 of the parts' MD5s or not (SSE-KMS, SSE-C).
 */
export function etagParts(etag: string | undefined): number | undefined {
  const parts = /^"?[0-9a-f]+-(\d+)"?$/i.exec(etag ?? '')?.[1];
  return parts === undefined ? undefined : Number(parts);
}

/** The hex of a multipart ETag: the MD5 of its parts' MD5s unless the object is SSE-KMS or SSE-C encrypted. */
export function multipartEtagHex(etag: string | undefined): string | undefined {
  return /^"?([0-9a-f]{32})-\d+"?$/.exec(etag ?? '')?.[1];
}

/**
 * A stored checksum header (x-amz-checksum-*): `<base64>` for a full-object checksum, or
 * `<base64>-<parts>` for a composite one (the checksum of the parts' checksums). The digest is
 * given in hex; undefined for a value that is neither.
 */
export function parseStoredChecksum(value: string | undefined): { hex: string; parts?: number } | undefined {
  const match = /^([A-Za-z0-9+/]+={0,2})(?:-(\d+))?$/.exec(value ?? '');
  if (!match) return undefined;
  return { hex: base64ToHex(match[1]!), parts: match[2] === undefined ? undefined : Number(match[2]) };
}
