/**
 * The files of `_delta_log/` (PROTOCOL.md "Delta Log Entries", "Checkpoints", "Last Checkpoint
 * File"): commits, classic, multi-part and UUID-named (v2) checkpoints; the `_last_checkpoint`
 * hint; and the choice of the log segment (a complete checkpoint and the commits after it) that
 * makes up a version. Log compaction files and checksums are not needed: the commits they
 * summarize are read instead.
 */
import { TableObjectNotFoundError, type StoredObject, type TableStorage } from '../storage';
import { DeltaTableError, DeltaVersionNotFoundError } from './errors';

/** The folder of the log, relative to the table root. */
export const LOG_DIR = '_delta_log/';

/** A checkpoint of one version, complete (all parts present). */
export interface CheckpointFiles {
  version: number;
  kind: 'classic' | 'multi-part' | 'v2';
  format: 'parquet' | 'json';
  /** The files, parts in order. */
  files: StoredObject[];
}

/** What a listing of `_delta_log/` found. */
export interface LogListing {
  /** Commit files by version. */
  commits: Map<number, StoredObject>;
  /** Complete checkpoints by version (several kinds may exist for one version). */
  checkpoints: Map<number, CheckpointFiles[]>;
}

/** The files that make up one version: a checkpoint (if any is used) and the commits after it, ascending. */
export interface LogSegment {
  version: number;
  checkpoint?: CheckpointFiles;
  commits: Array<{ version: number; object: StoredObject }>;
}

/** Zero-padded 20-digit version, as log file names carry it. */
export function padVersion(version: number): string {
  return String(version).padStart(20, '0');
}

/** Lists `_delta_log/` (from just before `fromVersion` when given) into commits and complete checkpoints. */
export async function listLog(storage: TableStorage, fromVersion?: number): Promise<LogListing> {
  const commits = new Map<number, StoredObject>();
  const multi = new Map<string, Array<{ part: number; object: StoredObject }>>();
  const checkpoints = new Map<number, CheckpointFiles[]>();
  const addCheckpoint = (c: CheckpointFiles) => checkpoints.set(c.version, [...(checkpoints.get(c.version) ?? []), c]);
  const startAfter = fromVersion === undefined || fromVersion <= 0 ? undefined : `${LOG_DIR}${padVersion(fromVersion)}`;
  for await (const object of storage.list(LOG_DIR, { startAfter })) {
    const name = object.key.slice(LOG_DIR.length);
    if (name.includes('/')) continue; // _sidecars/, _staged_commits/, ...
    let m = /^(\d{20})\.json$/.exec(name);
    if (m) {
      commits.set(Number(m[1]), object);
      continue;
    }
    m = /^(\d{20})\.checkpoint\.parquet$/.exec(name);
    if (m) {
      addCheckpoint({ version: Number(m[1]), kind: 'classic', format: 'parquet', files: [object] });
      continue;
    }
    m = /^(\d{20})\.checkpoint\.[0-9a-fA-F-]{36}\.(json|parquet)$/.exec(name);
    if (m) {
      addCheckpoint({ version: Number(m[1]), kind: 'v2', format: m[2] as 'json' | 'parquet', files: [object] });
      continue;
    }
    m = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/.exec(name);
    if (m) {
      const group = `${m[1]}.${Number(m[3])}`;
      multi.set(group, [...(multi.get(group) ?? []), { part: Number(m[2]), object }]);
    }
  }
  for (const [group, parts] of multi) {
    const [version, count] = group.split('.').map(Number) as [number, number];
    const byPart = new Map(parts.map((p) => [p.part, p.object]));
    // A multi-part checkpoint with a part missing was not finished: it is ignored (PROTOCOL.md).
    if (byPart.size !== count || ![...byPart.keys()].every((k) => k >= 1 && k <= count)) continue;
    addCheckpoint({ version, kind: 'multi-part', format: 'parquet', files: [...byPart.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]) });
  }
  return { commits, checkpoints };
}

/** The `_last_checkpoint` hint (version and parts), or undefined when there is none or it is unreadable. */
export async function readLastCheckpoint(storage: TableStorage): Promise<{ version: number; parts?: number } | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await storage.read(`${LOG_DIR}_last_checkpoint`);
  } catch (err) {
    if (err instanceof TableObjectNotFoundError) return undefined;
    throw err;
  }
  try {
    const json = JSON.parse(Buffer.from(bytes).toString('utf8')) as { version?: unknown; parts?: unknown };
    if (typeof json.version !== 'number') return undefined;
    return { version: json.version, parts: typeof json.parts === 'number' ? json.parts : undefined };
  } catch {
    return undefined; // A hint only: a torn or invalid file means listing the whole log.
  }
}

/** The newest version the listing shows. */
export function latestVersion(listing: LogListing): number | undefined {
  const versions = [...listing.commits.keys(), ...listing.checkpoints.keys()];
  return versions.length ? Math.max(...versions) : undefined;
}

/**
 * The segment of `version` (default: the latest): the newest complete checkpoint at or below it
 * (UUID-named preferred, then classic, then multi-part), and every commit after it, which must
 * all be there.
 */
export function selectSegment(listing: LogListing, location: string, version?: number): LogSegment {
  const latest = latestVersion(listing);
  if (latest === undefined) throw new DeltaTableError(`${location} is not a Delta table: ${LOG_DIR} has no commits or checkpoints`);
  const target = version ?? latest;
  if (!Number.isInteger(target) || target < 0) throw new DeltaVersionNotFoundError(`version ${target} is not a valid version`);
  if (target > latest) throw new DeltaVersionNotFoundError(`version ${target} does not exist: the latest version of ${location} is ${latest}`);
  const order = { v2: 0, classic: 1, 'multi-part': 2 };
  const usable = [...listing.checkpoints.keys()].filter((v) => v <= target).sort((a, b) => b - a);
  const cpVersion = usable[0];
  const checkpoint = cpVersion === undefined ? undefined
    : [...(listing.checkpoints.get(cpVersion) as CheckpointFiles[])].sort((a, b) => order[a.kind] - order[b.kind])[0];
  const first = checkpoint ? checkpoint.version + 1 : 0;
  const commits: LogSegment['commits'] = [];
  for (let v = first; v <= target; v++) {
    const object = listing.commits.get(v);
    if (!object) {
      const oldest = Math.min(...listing.commits.keys(), ...listing.checkpoints.keys());
      if (v === 0 || v <= oldest) {
        throw new DeltaVersionNotFoundError(`version ${target} of ${location} cannot be reconstructed: its log starts later (oldest file at version ${oldest}) and no checkpoint at or below ${target} remains`);
      }
      throw new DeltaTableError(`${location}: commit ${v} is missing from ${LOG_DIR} (needed for version ${target})`);
    }
    commits.push({ version: v, object });
  }
  return { version: target, checkpoint, commits };
}
