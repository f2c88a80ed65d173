/**
 * Row-level deletes of format version 2 (the specification's "Row-level Deletes" and "Scan
 * Planning"): position delete files (`file_path`, `pos`, field ids 2147483546 and 2147483545)
 * apply to a data file whose data sequence number is at most theirs; equality delete files apply
 * to data files whose data sequence number is strictly lower, in the same partition (same spec
 * and values) unless the delete file is unpartitioned, and delete the rows equal to one of
 * theirs on every equality field (null equal to null). Delete files are read whole, once per
 * scan: memory grows with the deletes, not with the data. Deletion vectors (Puffin, version 3)
 * and delete files not in Parquet are refused by name; so are equality fields inside structs.
 */
import { openParquet, readRowGroup } from '../parquet';
import type { TableStorage } from '../storage';
import { jsonOfValue } from '../serialize';
import type { TableValue } from '../values';
import { IcebergTableError, IcebergUnsupportedError } from './errors';
import type { ContentFile } from './manifests';
import type { PartitionSpec } from './metadata';
import type { IcebergField } from './types';
import { childById, parquetConverter } from './values';

const FILE_PATH_ID = 2147483546;
const POS_ID = 2147483545;

/** An equality delete file, read: the keys of the rows it deletes. */
interface EqualityDeletes {
  file: ContentFile;
  fieldIds: number[];
  keys: Set<string>;
}

/** The deletes of a snapshot, indexed for its data files. */
export interface DeleteIndex {
  /** Deleted row positions of the data file `file` (empty when none apply). */
  positionsFor(file: ContentFile): Set<number>;
  /** The equality deletes that apply to `file`. */
  equalityFor(file: ContentFile): EqualityDeletes[];
  /** Every field id an equality delete compares on (the scan must read them). */
  equalityFieldIds: Set<number>;
}

/** The key rows are compared by: the exact JSON text of the values, in field order. */
export function equalityKey(values: TableValue[]): string {
  return values.map(jsonOfValue).join('\u0000');
}

function checkParquet(file: ContentFile): void {
  if (file.format === 'PUFFIN') throw new IcebergUnsupportedError('deletion vectors (Puffin delete files, format version 3)', `delete file ${file.path}`);
  if (file.format !== 'PARQUET') throw new IcebergUnsupportedError(`${file.format} delete files`, `delete file ${file.path}; Parquet delete files are read`);
}

/** Reads every row of a Parquet delete file as converted values of `fields` (by field id). */
async function readDeleteRows(storage: TableStorage, file: ContentFile, fields: IcebergField[]): Promise<TableValue[][]> {
  checkParquet(file);
  const parquet = await openParquet(storage, file.key, file.size);
  const withoutIds = parquet.schema.children.every((c) => c.element.field_id === undefined);
  const columns = fields.map((f) => {
    // Files the spec wants with field ids; one written without any is read by the columns' names.
    const node = childById(parquet.schema, f.id) ?? (withoutIds ? parquet.schema.children.find((c) => c.element.name === f.name) : undefined);
    if (!node) throw new IcebergTableError(`delete file ${file.path} has no column of field id ${f.id} (${f.name})`);
    return { name: node.element.name, convert: parquetConverter(f.type, node, f.name) };
  });
  const out: TableValue[][] = [];
  for (let g = 0; g < parquet.rowGroups.length; g++) {
    for (const raw of await readRowGroup(parquet, g, columns.map((c) => c.name))) out.push(columns.map((c) => c.convert(raw[c.name])));
  }
  return out;
}

/** Reads the delete files of a snapshot (`fieldsById`: every field of the table's schemas, by id). */
export async function loadDeletes(storage: TableStorage, files: ContentFile[], fieldsById: Map<number, IcebergField>, specs: PartitionSpec[]): Promise<DeleteIndex> {
  const positions = new Map<string, Array<{ sequenceNumber: bigint; rows: Set<number> }>>();
  const equality: EqualityDeletes[] = [];
  const positionFields: IcebergField[] = [
    { id: FILE_PATH_ID, name: 'file_path', required: true, type: { kind: 'primitive', name: 'string' } },
    { id: POS_ID, name: 'pos', required: true, type: { kind: 'primitive', name: 'long' } },
  ];
  for (const file of files) {
    if (file.content === 'position-deletes') {
      const byPath = new Map<string, Set<number>>();
      for (const [path, pos] of await readDeleteRows(storage, file, positionFields)) {
        let rows = byPath.get(path as string);
        if (!rows) byPath.set(path as string, (rows = new Set()));
        rows.add(Number(pos));
      }
      for (const [path, rows] of byPath) {
        let list = positions.get(path);
        if (!list) positions.set(path, (list = []));
        list.push({ sequenceNumber: file.sequenceNumber, rows });
      }
    } else if (file.content === 'equality-deletes') {
      const ids = file.equalityIds ?? [];
      if (ids.length === 0) throw new IcebergTableError(`equality delete file ${file.path} has no equality_ids`);
      const fields = ids.map((id) => {
        const f = fieldsById.get(id);
        if (!f) throw new IcebergTableError(`equality delete file ${file.path} compares on field id ${id}, which no schema of the table has`);
        return f;
      });
      const keys = new Set((await readDeleteRows(storage, file, fields)).map(equalityKey));
      equality.push({ file, fieldIds: ids, keys });
    }
  }
  const unpartitioned = (specId: number): boolean => (specs.find((s) => s.specId === specId)?.fields.filter((f) => f.transform !== 'void').length ?? 0) === 0;
  const samePartition = (a: ContentFile, b: ContentFile): boolean => {
    if (a.specId !== b.specId || a.partition.size !== b.partition.size) return false;
    for (const [id, v] of a.partition) if (jsonOfAvro(v) !== jsonOfAvro(b.partition.get(id))) return false;
    return true;
  };
  return {
    positionsFor(file) {
      const out = new Set<number>();
      for (const d of positions.get(file.path) ?? []) if (d.sequenceNumber >= file.sequenceNumber) for (const r of d.rows) out.add(r);
      return out;
    },
    equalityFor(file) {
      return equality.filter((d) => d.file.sequenceNumber > file.sequenceNumber && (unpartitioned(d.file.specId) || samePartition(d.file, file)));
    },
    equalityFieldIds: new Set(equality.flatMap((d) => d.fieldIds)),
  };
}

/** A stored partition value's text, for comparing two files' partitions. */
function jsonOfAvro(v: unknown): string {
  if (v instanceof Uint8Array) return `b:${Buffer.from(v).toString('hex')}`;
  return typeof v === 'bigint' ? `${v}` : JSON.stringify(v ?? null);
}

/** Checks that every equality field is a top-level column of some schema of the table (nested ones are not read). */
export function checkEqualityFields(ids: Set<number>, topLevelIds: Set<number>): void {
  for (const id of ids) if (!topLevelIds.has(id)) throw new IcebergUnsupportedError('equality deletes on a nested field', `field id ${id}`);
}
