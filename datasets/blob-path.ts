/**
 * Where a local store keeps a blob: content-addressed, so the same bytes always land at the same
 * path and a retried copy is idempotent. Both the store (local-backend.ts) and the writing
 * threads (blob-thread-entry.ts, for small blobs created in place) name blobs this way.
 */

/** The store path of the blob with SHA-256 `sha256` (hex) below `dir`: `<dir>/<first 2 digits>/<sha256>`. */
export function blobPath(dir: string, sha256: string): string {
  return `${dir}/${sha256.slice(0, 2)}/${sha256}`;
}
