/**
 * The appends of a Delta table between two versions, for table syncs. A table sync lands APPENDs
 * only, so every commit of the range must be a pure append: its rows are then exactly the rows of
 * the files it added with dataChange (minus their deletion vectors), and nothing it landed before
 * ever changes. A commit that removes a file with dataChange=true (an update, delete, merge or
 * overwrite) or writes change-data files is refused, naming its version and its commitInfo's
 * operation. Compaction (adds and removes with dataChange=false) changes no rows and is passed.
 *
 * The whole range is checked before any file is returned, so a refused range plans nothing.
 * Memory: one commit's actions at a time while checking; the adds of the range when returned.
 */
import type { TableStorage } from '../tables/storage';
import type { RawAddFile } from '../tables/delta/actions';
import { DeltaTableError } from '../tables/delta/errors';
import { latestVersion, listLog, type LogListing } from '../tables/delta/log-files';
import { checkReadable } from '../tables/delta/protocol';
import { CommitReader } from '../tables/delta/replay';

/** A commit in the range is not a pure append. Not retried: the table's history will not change. */
export class NotAnAppendError extends Error {
  override readonly name = 'NotAnAppendError';
  /**
   * @param version the commit's version
   * @param operation its commitInfo.operation (DELETE, UPDATE, MERGE, WRITE, ...), when it has one
   */
  constructor(readonly table: string, readonly version: number, readonly operation: string | undefined, what: string) {
    super(`table ${table}: version ${version} is not an append (operation ${operation ?? '(none recorded)'}: ${what}); a table sync lands appends only, so this run landed nothing. `
      + `Fix: land the table anew into a new dataset (point the table sync's dataset: at a new name: its first run lands the whole current snapshot), or read the changes with \`s3-connector tables read ${table} --since ${version}\`.`);
  }
}

/** The files one commit of the range added. */
export interface AppendedVersion {
  version: number;
  adds: RawAddFile[];
}

/** The latest version of the table and its log listing from version `from` on (the whole log when nothing is there). */
export async function listFrom(storage: TableStorage, from: number): Promise<{ listing: LogListing; latest: number }> {
  let listing = await listLog(storage, from);
  let latest = latestVersion(listing);
  // Nothing at or after `from`: the whole log says what the latest version is.
  if (latest === undefined) {
    listing = await listLog(storage);
    latest = latestVersion(listing);
  }
  if (latest === undefined) throw new DeltaTableError(`${storage.location} is not a Delta table: _delta_log/ has no commits`);
  return { listing, latest };
}

/**
 * Checks commits `from`..`to` (both included) and returns what each added with dataChange.
 * @throws NotAnAppendError at the first commit that is not a pure append.
 */
export async function appendedFiles(storage: TableStorage, table: string, listing: LogListing, from: number, to: number): Promise<AppendedVersion[]> {
  const reader = new CommitReader(storage, 0);
  const out: AppendedVersion[] = [];
  for (let version = from; version <= to; version++) {
    const object = listing.commits.get(version);
    if (!object) {
      throw new DeltaTableError(`table ${table}: the commit of version ${version} is no longer in ${storage.location}_delta_log/ (log retention), so the appends since the last run cannot be read. Fix: land the table anew into a new dataset (a table sync's first run lands the whole snapshot).`);
    }
    const actions = await reader.actions(object);
    const operation = actions.flatMap((a) => (a.kind === 'commitInfo' && a.operation !== undefined ? [a.operation] : []))[0];
    const adds: RawAddFile[] = [];
    for (const action of actions) {
      if (action.kind === 'protocol') checkReadable(action.protocol);
      else if (action.kind === 'remove' && action.remove.dataChange !== false) {
        throw new NotAnAppendError(table, version, operation, `it removes ${action.remove.path} with dataChange=true`);
      } else if (action.kind === 'cdc') {
        throw new NotAnAppendError(table, version, operation, `it writes change data (${action.cdc.path})`);
      } else if (action.kind === 'add' && action.add.dataChange) adds.push(action.add);
    }
    out.push({ version, adds });
  }
  return out;
}
