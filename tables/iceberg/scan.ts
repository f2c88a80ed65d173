/**
 * The rows of a snapshot: each live data file's Parquet read a row group at a time, columns by
 * field id (renamed columns read under their new name, added ones null in older files, dropped
 * ones never read), identity partition values from the manifest for a column a file does not
 * store, then position and equality deletes applied (deletes.ts). Only Parquet data files are
 * read; ORC and Avro data files are refused by name, as is a file without field ids (it would
 * need the table's name mapping, which this reader does not apply).
 */
import { openParquet, readRowGroup } from '../parquet';
import type { TableStorage } from '../storage';
import type { TableRow, TableRowBatch } from '../table-reader';
import type { TableValue } from '../values';
import { equalityKey, type DeleteIndex } from './deletes';
import { IcebergUnsupportedError } from './errors';
import type { ContentFile } from './manifests';
import type { PartitionSpec } from './metadata';
import type { IcebergField } from './types';
import { childById, parquetConverter, partitionValueOf, type Converter } from './values';

/** What one scan reads. */
export interface IcebergScanPlan {
  storage: TableStorage;
  /** The columns to return, in order (top-level fields of the schema read). */
  fields: IcebergField[];
  /** Every field of the table's schemas by id (equality fields, partition sources). */
  fieldsById: Map<number, IcebergField>;
  specs: PartitionSpec[];
  deletes: DeleteIndex;
}

/** The identity partition values of a file, by source field id, as table values. */
function identityValues(plan: IcebergScanPlan, file: ContentFile): Map<number, TableValue> {
  const out = new Map<number, TableValue>();
  const spec = plan.specs.find((s) => s.specId === file.specId);
  for (const f of spec?.fields ?? []) {
    if (f.transform !== 'identity') continue;
    const source = plan.fieldsById.get(f.sourceId);
    if (source) out.set(f.sourceId, partitionValueOf(source.type, file.partition.get(f.fieldId), source.name));
  }
  return out;
}

/** Reads the rows of one data file that no delete removes, one batch per row group. */
export async function* scanDataFile(plan: IcebergScanPlan, file: ContentFile): AsyncGenerator<TableRowBatch> {
  if (file.format !== 'PARQUET') throw new IcebergUnsupportedError(`${file.format} data files`, `data file ${file.path}; Parquet data files are read`);
  const parquet = await openParquet(plan.storage, file.key, file.size);
  if (!parquet.schema.children.some((c) => c.element.field_id !== undefined)) {
    throw new IcebergUnsupportedError('a name mapping (schema.name-mapping.default) for data files without field ids', `data file ${file.path}`);
  }
  const partition = identityValues(plan, file);
  const column = (f: IcebergField): { name: string; key?: string; convert?: Converter; constant: TableValue } => {
    const node = childById(parquet.schema, f.id);
    return { name: f.name, key: node?.element.name, convert: node ? parquetConverter(f.type, node, f.name) : undefined, constant: partition.get(f.id) ?? null };
  };
  const columns = plan.fields.map(column);
  const positions = plan.deletes.positionsFor(file);
  const equality = plan.deletes.equalityFor(file).map((d) => ({ keys: d.keys, columns: d.fieldIds.map((id) => column(plan.fieldsById.get(id) as IcebergField)) }));
  const keys = new Set([...columns, ...equality.flatMap((e) => e.columns)].flatMap((c) => (c.key === undefined ? [] : [c.key])));
  const value = (c: ReturnType<typeof column>, raw: Record<string, unknown>): TableValue => (c.convert && c.key !== undefined ? c.convert(raw[c.key]) : c.constant);
  for (let g = 0; g < parquet.rowGroups.length; g++) {
    const { rowStart, rowCount } = parquet.rowGroups[g] as { rowStart: number; rowCount: number };
    let deletedHere = 0;
    for (const p of positions) if (p >= rowStart && p < rowStart + rowCount) deletedHere++;
    if (deletedHere === rowCount) continue;
    const raws = await readRowGroup(parquet, g, [...keys]);
    const rows: TableRow[] = [];
    for (let i = 0; i < raws.length; i++) {
      if (positions.has(rowStart + i)) continue;
      const raw = raws[i] as Record<string, unknown>;
      if (equality.some((e) => e.keys.has(equalityKey(e.columns.map((c) => value(c, raw)))))) continue;
      const row: TableRow = {};
      for (const c of columns) row[c.name] = value(c, raw);
      rows.push(row);
    }
    yield { file: file.key, rowGroup: g, rows };
  }
}
