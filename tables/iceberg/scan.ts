/**
 * The rows of a snapshot: each live data file's Parquet read a row group at a time, columns by
 * field id (renamed columns read under their new name, added ones null in older files, dropped
 * ones never read), identity partition values from the manifest for a column a file does not
 * store, then position and equality deletes applied (deletes.ts), then `--where` (exact, on the
 * rows left). A file whose partition values (identity, the ranges of time and truncate
 * transforms: transform-summaries.ts, the buckets of equalities: bucket-pruning.ts) or manifest column bounds (bounds.ts) rule the predicate
 * out is not opened; a row group whose Parquet statistics (columns by field id)
 * rule it out is not read. Only Parquet
 * data files are read; ORC and Avro data files are refused by name, as is a file without field
 * ids is read through the table's name mapping (name-mapping.ts), and refused without one.
 */
import { openParquet, readRowGroup } from '../parquet';
import { mayMatch, type CompiledWhere, type SummaryOf } from '../predicate';
import { firstOf, partitionSummaries, rowGroupSummaries } from '../predicate/summaries';
import { filterRows, rowGroupBytes, type ScanStats } from '../scan-stats';
import type { TableStorage } from '../storage';
import type { TableRow, TableRowBatch } from '../table-reader';
import type { TableValue } from '../values';
import { fileBoundsSummaries } from './bounds';
import { bucketsMayMatch } from './bucket-pruning';
import { transformSummaries } from './transform-summaries';
import { equalityKey, type DeleteIndex } from './deletes';
import { IcebergUnsupportedError } from './errors';
import type { ContentFile } from './manifests';
import type { PartitionSpec } from './metadata';
import { applyNameMapping, NAME_MAPPING_PROPERTY, type MappedField } from './name-mapping';
import type { IcebergField } from './types';
import { childById, parquetConverter, partitionValueOf, type Converter } from './values';

/** What one scan reads. */
export interface IcebergScanPlan {
  storage: TableStorage;
  /** The columns to read, in order (top-level fields of the schema read): those returned, then the predicate's. */
  fields: IcebergField[];
  /** The names of the columns returned (a prefix of `fields`). */
  names: string[];
  /** Every field of the table's schemas by id (equality fields, partition sources). */
  fieldsById: Map<number, IcebergField>;
  specs: PartitionSpec[];
  deletes: DeleteIndex;
  where?: CompiledWhere;
  stats: ScanStats;
  /** Count and prune from metadata and footers only; read no row. */
  planOnly: boolean;
  /** The table's default name mapping, for data files written without field ids. */
  nameMapping?: MappedField[];
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

/** Reads the rows of one data file that no delete removes and `where` keeps, one batch per row group read. */
export async function* scanDataFile(plan: IcebergScanPlan, file: ContentFile): AsyncGenerator<TableRowBatch> {
  const { stats, where } = plan;
  stats.filesTotal++;
  stats.fileBytesTotal += file.size;
  if (file.format !== 'PARQUET') throw new IcebergUnsupportedError(`${file.format} data files`, `data file ${file.path}; Parquet data files are read`);
  const partition = identityValues(plan, file);
  // The read columns whose every value in this file is its identity partition value.
  const constants: Record<string, TableValue> = {};
  for (const f of plan.fields) if (partition.has(f.id)) constants[f.name] = partition.get(f.id) ?? null;
  const spec = plan.specs.find((x) => x.specId === file.specId);
  const byPartition = firstOf(partitionSummaries(constants, new Set(Object.keys(constants))), transformSummaries(file, spec, plan.fieldsById));
  if (where && (!mayMatch(where.bound, byPartition) || !bucketsMayMatch(where.bound, file, spec, plan.fieldsById))) {
    stats.filesPrunedByPartition++;
    return;
  }
  if (where && !mayMatch(where.bound, firstOf(byPartition, fileBoundsSummaries(file.stats, file.recordCount, plan.fieldsById)))) {
    stats.filesPrunedByStatistics++;
    return;
  }
  const parquet = await openParquet(plan.storage, file.key, file.size);
  if (!parquet.schema.children.some((c) => c.element.field_id !== undefined)) {
    if (!plan.nameMapping) throw new IcebergUnsupportedError(`field ids in every data file (the table has no ${NAME_MAPPING_PROPERTY} to read one without them)`, `data file ${file.path}`);
    applyNameMapping(parquet.schema, plan.nameMapping);
  }
  const column = (f: IcebergField): { name: string; key?: string; convert?: Converter; constant: TableValue } => {
    const node = childById(parquet.schema, f.id);
    return { name: f.name, key: node?.element.name, convert: node ? parquetConverter(f.type, node, f.name) : undefined, constant: partition.get(f.id) ?? null };
  };
  const columns = plan.fields.map(column);
  const positions = plan.deletes.positionsFor(file);
  const equality = plan.deletes.equalityFor(file).map((d) => ({ keys: d.keys, columns: d.fieldIds.map((id) => column(plan.fieldsById.get(id) as IcebergField)) }));
  const keys = [...new Set([...columns, ...equality.flatMap((e) => e.columns)].flatMap((c) => (c.key === undefined ? [] : [c.key])))];
  const value = (c: ReturnType<typeof column>, raw: Record<string, unknown>): TableValue => (c.convert && c.key !== undefined ? c.convert(raw[c.key]) : c.constant);
  // A uuid is a string to the table but 16 bytes in Parquet's statistics: those never prune.
  const isUuid = (fieldId: number | undefined) => {
    const t = fieldId === undefined ? undefined : plan.fieldsById.get(fieldId)?.type;
    return t?.kind === 'primitive' && t.name === 'uuid';
  };
  const statistics = (g: number): SummaryOf => {
    const of = rowGroupSummaries(parquet, g, 'id');
    return (c) => (isUuid(c.fields[c.fields.length - 1]?.fieldId) ? undefined : of(c));
  };
  let kept = 0;
  for (let g = 0; g < parquet.rowGroups.length; g++) {
    stats.rowGroupsTotal++;
    if (where && !mayMatch(where.bound, firstOf(byPartition, statistics(g)))) {
      stats.rowGroupsPruned++;
      continue;
    }
    const { rowStart, rowCount } = parquet.rowGroups[g] as { rowStart: number; rowCount: number };
    let deletedHere = 0;
    for (const p of positions) if (p >= rowStart && p < rowStart + rowCount) deletedHere++;
    if (deletedHere === rowCount) continue;
    kept++;
    stats.bytesToRead += rowGroupBytes(parquet, g, keys);
    if (plan.planOnly) continue;
    const raws = await readRowGroup(parquet, g, keys);
    const rows: TableRow[] = [];
    for (let i = 0; i < raws.length; i++) {
      if (positions.has(rowStart + i)) continue;
      const raw = raws[i] as Record<string, unknown>;
      if (equality.some((e) => e.keys.has(equalityKey(e.columns.map((c) => value(c, raw)))))) continue;
      const row: TableRow = {};
      for (const c of columns) row[c.name] = value(c, raw);
      rows.push(row);
    }
    yield { file: file.key, rowGroup: g, rows: filterRows(rows, where, plan.names) };
  }
  if (kept === 0 && where && parquet.rowGroups.length > 0) stats.filesPrunedByStatistics++;
}
