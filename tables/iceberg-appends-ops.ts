/**
 * `tables read NAME --since SNAPSHOT [--until SNAPSHOT]` for Iceberg tables: the rows the append
 * snapshots of the range added (tables/iceberg/incremental.ts), with the columns of a snapshot
 * read of the end snapshot and no added column: an append-only range has one kind of change, and
 * the snapshot ids of its ends are in the read's header. Snapshot ids are 64-bit: given and
 * returned as decimal text, parsed to bigint, never to a JS number.
 */
import { openIcebergAppends } from './iceberg/incremental';
import { IcebergRequestError } from './iceberg-ops';
import type { OpenedTable, ReadHeader, ReadRequest } from './registry-ops';
import type { TableColumn } from './registry';
import { typeName } from './delta/schema';
import type { TableRow } from './table-reader';

const SNAPSHOT_ID = /^-?\d{1,19}$/;

/** A snapshot id given as text (an option or a cursor), exactly; `what` names it in the error. */
export function snapshotIdOf(text: string, what: string): bigint {
  const id = SNAPSHOT_ID.test(text) ? BigInt(text) : undefined;
  if (id === undefined || id > 0x7fffffffffffffffn || id < -0x8000000000000000n) {
    throw new IcebergRequestError(`${what} ${text} is not a snapshot id (a 64-bit integer, as tables history shows it)`);
  }
  return id;
}

/** Streams the appended rows of the range `request.sinceSnapshot`..`request.untilSnapshot`; `header` first, with the end snapshot. */
export async function* readIcebergAppendRows(table: OpenedTable, request: ReadRequest, header?: (h: ReadHeader) => void): AsyncGenerator<TableRow> {
  if (request.sinceSnapshot === undefined) throw new IcebergRequestError('an incremental read needs --since SNAPSHOT');
  if (request.snapshot !== undefined || request.ref !== undefined || request.asOf !== undefined) {
    throw new IcebergRequestError('give --since/--until (the appends of a range of snapshots) or --snapshot/--ref/--as-of (one snapshot), not both');
  }
  const since = snapshotIdOf(request.sinceSnapshot, '--since');
  const until = request.untilSnapshot === undefined ? undefined : snapshotIdOf(request.untilSnapshot, '--until');
  const appends = await openIcebergAppends(table.storage, { since, until, metadataKey: table.metadataKey });
  const all: TableColumn[] = appends.schema.fields.map((f) => ({ name: f.name, type: typeName(f.type), nullable: f.nullable }));
  const names = request.columns ?? all.map((c) => c.name);
  for (const n of names) {
    if (!all.some((c) => c.name === n)) throw new IcebergRequestError(`table ${table.name} has no column "${n}" (columns: ${all.map((c) => c.name).join(', ')})`);
  }
  header?.({
    snapshotId: String(appends.range.until.snapshotId), sinceSnapshotId: String(appends.range.since.snapshotId),
    columns: names.map((n) => all.find((c) => c.name === n) as TableColumn),
    schema: { kind: 'struct', fields: names.map((n) => appends.schema.fields.find((f) => f.name === n)!) },
  });
  let left = request.limit ?? Infinity;
  if (left <= 0) return;
  for (const { file } of await appends.files()) {
    for await (const batch of appends.scanFile(file, { columns: request.columns, where: request.where })) {
      for (const row of batch.rows) {
        yield row;
        if (--left <= 0) return;
      }
    }
  }
}
