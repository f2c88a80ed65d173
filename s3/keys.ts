/**
 * Key arithmetic: listing prefixes for subfolders, and decoding url-encoded listings.
 */

/** Joins path segments with exactly one slash between them and no leading slash. */
export function joinKey(...parts: string[]): string {
  return parts.filter((p) => p !== '').map((p, i) => (i === 0 ? p : p.replace(/^\/+/, ''))).reduce((out, part) =>
    out === '' ? part : out.endsWith('/') ? out + part : `${out}/${part}`, '');
}

/**
 * The listing prefix for `subfolder` below the source's `prefix`.
 * With matchSubfolderExactly false (the default), subfolder `foo/bar/` also matches
 * `foo/bar_baz/`, so the trailing slash is dropped from the listing prefix.
 */
export function listingPrefix(sourcePrefix: string, subfolder: string, matchSubfolderExactly: boolean): string {
  const folder = subfolder === '' || subfolder.endsWith('/') ? subfolder : `${subfolder}/`;
  const prefix = joinKey(sourcePrefix, folder);
  return matchSubfolderExactly || subfolder === '' ? prefix : prefix.replace(/\/$/, '');
}

/**
 * Decodes a key from a ListObjectsV2 reply made with EncodingType=url. Encoding is asked for
 * because keys may hold characters XML 1.0 cannot carry; stores encode spaces as `+` and a
 * literal `+` as `%2B`.
 */
export function decodeListedKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}
