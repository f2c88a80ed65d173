/**
 * Time travel by timestamp: the version of a table as of a time is the newest version whose
 * commit timestamp is at or before it. A commit's timestamp is its in-commit timestamp where
 * In-Commit Timestamps are enabled (PROTOCOL.md "In-Commit Timestamps"), else its commit file's
 * modification time, made increasing (a commit is at least 1 ms after the one before it), as
 * Delta's reference reader does.
 */
import type { TableStorage } from '../storage';
import type { DeltaMetadata } from './actions';
import { DeltaVersionNotFoundError } from './errors';
import type { LogListing } from './log-files';
import type { CommitReader } from './replay';

/** The commit timestamp (ms) of one commit file by its in-commit timestamp; undefined when it has none. */
export async function inCommitTimestamp(reader: CommitReader, listing: LogListing, version: number): Promise<number | undefined> {
  const object = listing.commits.get(version);
  if (!object) return undefined;
  for (const a of await reader.actions(object)) if (a.kind === 'commitInfo') return a.inCommitTimestamp;
  return undefined;
}

/** ICT settings of the latest metadata: undefined when In-Commit Timestamps are off. */
export function ictSettings(metadata: DeltaMetadata): { version: number; timestamp?: number } | undefined {
  const c = metadata.configuration;
  if (c['delta.enableInCommitTimestamps'] !== 'true') return undefined;
  const version = c['delta.inCommitTimestampEnablementVersion'];
  const timestamp = c['delta.inCommitTimestampEnablementTimestamp'];
  return { version: version === undefined ? 0 : Number(version), timestamp: timestamp === undefined ? undefined : Number(timestamp) };
}

/**
 * The newest version committed at or before `timestampMs`, among the versions whose commit
 * files the listing has. `latest` is the metadata of the latest version (ICT settings).
 */
export async function versionAsOf(_storage: TableStorage, listing: LogListing, latest: DeltaMetadata, reader: CommitReader, timestampMs: number): Promise<number> {
  const versions = [...listing.commits.keys()].sort((a, b) => a - b);
  const ict = ictSettings(latest);
  const when = new Date(timestampMs).toISOString();
  if (ict && (ict.timestamp === undefined || timestampMs >= ict.timestamp)) {
    const candidates = versions.filter((v) => v >= ict.version);
    let lo = 0;
    let hi = candidates.length - 1;
    let found: number | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = candidates[mid] as number;
      const ts = await inCommitTimestamp(reader, listing, v);
      if (ts === undefined) throw new DeltaVersionNotFoundError(`commit ${v} has no inCommitTimestamp although In-Commit Timestamps are enabled from version ${ict.version}`);
      if (ts <= timestampMs) {
        found = v;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found === undefined) throw new DeltaVersionNotFoundError(`no version of the table was committed at or before ${when}`);
    return found;
  }
  const candidates = ict ? versions.filter((v) => v < ict.version) : versions;
  let previous = -Infinity;
  let found: number | undefined;
  for (const v of candidates) {
    const ts = Math.max((listing.commits.get(v) as { lastModified: number }).lastModified, previous + 1);
    previous = ts;
    if (ts <= timestampMs) found = v;
    else break;
  }
  if (found === undefined) {
    const first = candidates[0];
    throw new DeltaVersionNotFoundError(first === undefined
      ? `the table has no commit files to time travel by timestamp (${when})`
      : `${when} is before the earliest commit kept in the log (version ${first}, committed ${new Date((listing.commits.get(first) as { lastModified: number }).lastModified).toISOString()})`);
  }
  return found;
}
