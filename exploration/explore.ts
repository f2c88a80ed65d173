/**
 * `explore SOURCE [PATH]`: one page of folders and files below a path of the source.
 */
import { listingPrefix } from '../s3/keys';
import { listPage } from '../s3/list';
import type { SourceClient } from '../s3/client';

/** One line of `explore --json`. Paths are relative to the source URL. */
export interface ExploreEntry {
  type: 'folder' | 'file';
  path: string;
  size?: number;
  lastModified?: string;
  etag?: string;
}

/** Input of one explore page. */
export interface ExploreRequest {
  path: string;
  recursive: boolean;
  token?: string;
  pageSize?: number;
}

/** One page of explore output and the token of the next. */
export interface ExplorePage {
  entries: ExploreEntry[];
  nextToken?: string;
}

/**
 * Lists one page below `path`.
 * - Recursive: every object a sync of subfolder `path` would consider, so matchSubfolderExactly
 *   applies (false: `foo/bar/` also lists `foo/bar_baz/...` and `foo/bar.csv`, as a prefix).
 * - Not recursive: browsing the folder `path`, its files and subfolders (common prefixes). This
 *   always lists the folder itself: with a slash-less prefix the folder would only ever list
 *   itself as a subfolder, and could never be opened. The folder's own marker object (a
 *   zero-byte `path/` key) is not shown as a file inside it.
 */
export async function explorePage(client: SourceClient, request: ExploreRequest): Promise<ExplorePage> {
  const exact = !request.recursive || client.config.matchSubfolderExactly;
  const prefix = listingPrefix(client.prefix, request.path, exact);
  const page = await listPage(client, {
    prefix, token: request.token, pageSize: request.pageSize, delimiter: request.recursive ? undefined : '/',
  });
  const relative = (key: string) => key.slice(client.prefix.length);
  const objects = request.recursive ? page.objects : page.objects.filter((o) => o.key !== prefix);
  const entries: ExploreEntry[] = [
    ...page.folders.map((folder): ExploreEntry => ({ type: 'folder', path: relative(folder) })),
    ...objects.map((o): ExploreEntry => ({ type: 'file', path: relative(o.key), size: o.size, lastModified: o.lastModified, etag: o.etag })),
  ];
  return { entries, nextToken: page.nextToken };
}
