/**
 * Reading checkpoints: classic and multi-part Parquet (V1 spec), UUID-named JSON or Parquet and
 * classic Parquet following the V2 spec, whose file actions may live in sidecar files under
 * `_delta_log/_sidecars/`. Parquet is read a row group at a time and only the columns needed.
 */
import type { SchemaTree } from 'hyparquet';
import { columnNames, openParquet, readRowGroup, type ParquetFile } from '../parquet';
import type { StoredObject, TableStorage } from '../storage';
import { actionsOf, actionsOfLine, type DeltaAction, type RawAddFile, type SidecarAction } from './actions';
import { keyOfLogPath } from './paths';
import { LOG_DIR, type CheckpointFiles } from './log-files';
import type { ColumnMappingMode, DeltaStructType } from './schema';
import { statsFromParsed } from './stats';

/** What is needed to type a checkpoint's `stats_parsed`: the table schema and mapping mode. */
export interface CheckpointTyping {
  schema: DeltaStructType;
  mode: ColumnMappingMode;
}

/** Rows of the given top-level columns of a Parquet action file, a row group at a time. */
async function* parquetRows(storage: TableStorage, object: StoredObject, columns: string[]): AsyncGenerator<{ rows: Array<Record<string, unknown>>; file: ParquetFile }> {
  const file = await openParquet(storage, object.key, object.size);
  const present = columns.filter((c) => columnNames(file).includes(c));
  if (present.length === 0) return;
  for (let i = 0; i < file.rowGroups.length; i++) yield { rows: await readRowGroup(file, i, present), file };
}

/** The actions of a JSON checkpoint, line by line. */
async function jsonActions(storage: TableStorage, object: StoredObject): Promise<DeltaAction[]> {
  const text = Buffer.from(await storage.read(object.key)).toString('utf8');
  return text.split('\n').flatMap((line) => actionsOfLine(line, object.key));
}

/** The checkpoint's protocol and metaData actions (it has exactly one of each). */
export async function checkpointProtocolAndMetadata(storage: TableStorage, checkpoint: CheckpointFiles): Promise<DeltaAction[]> {
  const found: DeltaAction[] = [];
  for (const part of checkpoint.files) {
    if (checkpoint.format === 'json') {
      found.push(...(await jsonActions(storage, part)).filter((a) => a.kind === 'protocol' || a.kind === 'metaData'));
    } else {
      for await (const { rows } of parquetRows(storage, part, ['protocol', 'metaData'])) {
        for (const row of rows) found.push(...actionsOf(row));
      }
    }
    if (found.some((a) => a.kind === 'protocol') && found.some((a) => a.kind === 'metaData')) break;
  }
  return found;
}

/** The add actions of a checkpoint (its tombstones are not needed to read), in batches. */
export async function* checkpointAdds(storage: TableStorage, checkpoint: CheckpointFiles, typing: CheckpointTyping): AsyncGenerator<RawAddFile[]> {
  const sidecars: SidecarAction[] = [];
  for (const part of checkpoint.files) {
    if (checkpoint.format === 'json') {
      const actions = await jsonActions(storage, part);
      yield actions.flatMap((a) => (a.kind === 'add' ? [a.add] : []));
      for (const a of actions) if (a.kind === 'sidecar') sidecars.push(a.sidecar);
      continue;
    }
    for await (const { rows, file } of parquetRows(storage, part, ['add', 'sidecar'])) {
      yield addsOfRows(rows, file, typing);
      for (const row of rows) for (const a of actionsOf({ sidecar: row.sidecar })) if (a.kind === 'sidecar') sidecars.push(a.sidecar);
    }
  }
  for (const sidecar of sidecars) {
    const object = { key: keyOfLogPath(storage, sidecar.path, `${LOG_DIR}_sidecars/`), size: sidecar.sizeInBytes, lastModified: sidecar.modificationTime };
    for await (const { rows, file } of parquetRows(storage, object, ['add'])) yield addsOfRows(rows, file, typing);
  }
}

/** The adds of Parquet checkpoint rows, with `stats_parsed` typed when there is no `stats` text. */
function addsOfRows(rows: Array<Record<string, unknown>>, file: ParquetFile, typing: CheckpointTyping): RawAddFile[] {
  const statsNode: SchemaTree | undefined = file.schema.children
    .find((c) => c.element.name === 'add')?.children.find((c) => c.element.name === 'stats_parsed');
  const out: RawAddFile[] = [];
  for (const row of rows) {
    const raw = row.add as Record<string, unknown> | null | undefined;
    if (raw === null || raw === undefined || raw.path === null || raw.path === undefined) continue;
    for (const a of actionsOf({ add: raw })) {
      if (a.kind !== 'add') continue;
      const parsed = raw.stats_parsed;
      if (a.add.stats === undefined && statsNode && parsed !== null && typeof parsed === 'object') {
        a.add.parsedStats = statsFromParsed(parsed as Record<string, unknown>, statsNode, typing.schema, typing.mode);
      }
      out.push(a.add);
    }
  }
  return out;
}
