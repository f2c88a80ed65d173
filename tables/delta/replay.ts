/**
 * Log replay as a pipeline of small steps, newest first (PROTOCOL.md "Action Reconciliation"):
 *
 *   commits, newest first -> their file actions -> reconcile against what newer commits saw
 *   -> then the checkpoint's adds, minus what any commit saw -> the table's active files
 *
 * Replaying backwards lets each step stream: a file action is decided when it is met, since
 * only newer actions can cancel it. The one set kept is the keys (path + DV id) of the file
 * actions of the commits after the checkpoint; checkpoint rows, already reconciled, are checked
 * against it and never stored. A commit is read whole (the largest commit bounds that part).
 */
import type { StoredObject, TableStorage } from '../storage';
import { actionsOfLine, type DeltaAction, type DeltaMetadata, type DeltaProtocol, type RawAddFile, type RawRemoveFile } from './actions';
import { checkpointAdds, checkpointProtocolAndMetadata, type CheckpointTyping } from './checkpoint';
import { dvUniqueId } from './deletion-vector';
import { DeltaTableError } from './errors';
import type { LogSegment } from './log-files';

/** Reads commits, keeping parsed ones up to a byte budget so that the second pass of a replay reads them once. */
export class CommitReader {
  private readonly cache = new Map<string, DeltaAction[]>();
  private cached = 0;

  /**
   * @param storage the table's storage
   * @param budgetBytes how many bytes of commit files (as stored) to keep parsed between passes
   */
  constructor(private readonly storage: TableStorage, private readonly budgetBytes = 32 * 1024 * 1024) {}

  /** The actions of one commit file, in file order. */
  async actions(object: StoredObject): Promise<DeltaAction[]> {
    const hit = this.cache.get(object.key);
    if (hit) return hit;
    const text = Buffer.from(await this.storage.read(object.key)).toString('utf8');
    const actions = text.split('\n').flatMap((line) => actionsOfLine(line, object.key));
    if (this.cached + object.size <= this.budgetBytes) {
      this.cache.set(object.key, actions);
      this.cached += object.size;
    }
    return actions;
  }
}

/** Step 0: the newest protocol and metaData, from the newest commit that has one, else the checkpoint. */
export async function findProtocolAndMetadata(storage: TableStorage, segment: LogSegment, reader: CommitReader): Promise<{ protocol: DeltaProtocol; metadata: DeltaMetadata }> {
  let protocol: DeltaProtocol | undefined;
  let metadata: DeltaMetadata | undefined;
  const take = (actions: DeltaAction[]) => {
    for (const a of actions) {
      if (a.kind === 'protocol') protocol ??= a.protocol;
      if (a.kind === 'metaData') metadata ??= a.metaData;
    }
  };
  for (let i = segment.commits.length - 1; i >= 0 && !(protocol && metadata); i--) {
    take(await reader.actions((segment.commits[i] as LogSegment['commits'][number]).object));
  }
  if (!(protocol && metadata) && segment.checkpoint) take(await checkpointProtocolAndMetadata(storage, segment.checkpoint));
  if (!protocol) throw new DeltaTableError(`version ${segment.version} has no protocol action in its log`);
  if (!metadata) throw new DeltaTableError(`version ${segment.version} has no metaData action in its log`);
  return { protocol, metadata };
}

/** The file actions of one commit. */
export interface CommitFileActions {
  version: number;
  adds: RawAddFile[];
  removes: RawRemoveFile[];
}

/** Step 1: each commit's file actions, newest commit first. */
export async function* commitFileActions(segment: LogSegment, reader: CommitReader): AsyncGenerator<CommitFileActions> {
  for (let i = segment.commits.length - 1; i >= 0; i--) {
    const commit = segment.commits[i] as LogSegment['commits'][number];
    const adds: RawAddFile[] = [];
    const removes: RawRemoveFile[] = [];
    for (const a of await reader.actions(commit.object)) {
      if (a.kind === 'add') adds.push(a.add);
      else if (a.kind === 'remove') removes.push(a.remove);
    }
    yield { version: commit.version, adds, removes };
  }
}

/** The primary key of a logical file: its path and its DV's unique id. */
export function fileKey(action: { path: string; deletionVector?: RawAddFile['deletionVector'] }): string {
  return `${action.path}\u0000${action.deletionVector ? dvUniqueId(action.deletionVector) : ''}`;
}

/**
 * Step 2: reconciliation. A commit's add survives when no newer commit added or removed the
 * same logical file; its own actions are then remembered. Actions within one commit do not
 * cancel each other (a valid commit never both adds and removes one key).
 */
export async function* reconcileCommits(commits: AsyncIterable<CommitFileActions>, seen: Set<string>): AsyncGenerator<RawAddFile[]> {
  for await (const commit of commits) {
    const live = commit.adds.filter((a) => !seen.has(fileKey(a)));
    for (const a of commit.adds) seen.add(fileKey(a));
    for (const r of commit.removes) seen.add(fileKey(r));
    if (live.length) yield live;
  }
}

/** Step 3: the checkpoint's adds that no commit after it touched. */
export async function* reconcileCheckpoint(batches: AsyncIterable<RawAddFile[]>, seen: ReadonlySet<string>): AsyncGenerator<RawAddFile[]> {
  for await (const batch of batches) {
    const live = batch.filter((a) => !seen.has(fileKey(a)));
    if (live.length) yield live;
  }
}

/** The whole pipeline: the active add actions of the segment's version, in batches. */
export async function* activeAdds(storage: TableStorage, segment: LogSegment, reader: CommitReader, typing: CheckpointTyping): AsyncGenerator<RawAddFile[]> {
  const seen = new Set<string>();
  yield* reconcileCommits(commitFileActions(segment, reader), seen);
  if (segment.checkpoint) yield* reconcileCheckpoint(checkpointAdds(storage, segment.checkpoint, typing), seen);
}
