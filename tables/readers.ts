/**
 * Every format behind the one {@link TableReader} interface: Delta snapshots adapted to it
 * ({@link openDeltaTable}), and {@link openTableReader} to open a table of any format built so
 * far by its format's name (Iceberg: tables/iceberg/).
 */
import { openAvroTable, type AvroTableOptions } from './avro/table';
import { openIcebergTable, type IcebergTableOptions } from './iceberg';
import { loadDeltaSnapshot, openDeltaSnapshot, scanDeltaFiles, type SnapshotOptions } from './delta';
import { openParquetTable, type ParquetTableOptions } from './parquet/table';
import { compileWhere } from './predicate';
import type { TableStorage } from './storage';
import { limitRows, selectColumns, type TableDescription, type TableReader, type TableScanOptions } from './table-reader';

/** A Delta table at a version (the latest, a version, or as of a time) as a {@link TableReader}; batches are row groups. */
export async function openDeltaTable(storage: TableStorage, options: SnapshotOptions = {}): Promise<TableReader> {
  const snapshot = await openDeltaSnapshot(storage, options);
  let description: Promise<TableDescription> | undefined;
  return {
    describe() {
      description ??= (async () => {
        // Every active file, for the count and bytes: the log replay, no data file.
        const files = (await loadDeltaSnapshot(storage, { version: snapshot.version })).files;
        return {
          format: 'delta', schema: snapshot.schema, partitionColumns: snapshot.partitionColumns,
          fileCount: files.length, bytes: files.reduce((n, f) => n + f.size, 0), version: snapshot.version,
        };
      })();
      return description;
    },
    scan(scan: TableScanOptions = {}) {
      const columns = selectColumns(snapshot.schema, scan.columns, storage.location).map((f) => f.name);
      const where = scan.where !== undefined ? compileWhere(scan.where, snapshot.schema, storage.location) : undefined;
      const batches = async function* () {
        for await (const batch of scanDeltaFiles(storage, snapshot, snapshot.files(), { columns, where, stats: scan.stats, planOnly: scan.planOnly })) {
          yield { file: batch.file.key, rowGroup: batch.rowGroup, rows: batch.rows };
        }
      };
      return limitRows(batches(), scan.limit);
    },
  };
}

/** Options of {@link openTableReader}, per format. */
export interface OpenReaderOptions {
  delta?: SnapshotOptions;
  parquet?: ParquetTableOptions;
  avro?: AvroTableOptions;
  iceberg?: IcebergTableOptions;
}

/** Opens the table below `storage`'s root as a reader of `format`; a format not built yet fails naming it. */
export async function openTableReader(format: TableDescription['format'], storage: TableStorage, options: OpenReaderOptions = {}): Promise<TableReader> {
  switch (format) {
    case 'delta': return openDeltaTable(storage, options.delta);
    case 'parquet': return openParquetTable(storage, options.parquet);
    case 'avro': return openAvroTable(storage, options.avro);
    case 'iceberg': return openIcebergTable(storage, options.iceberg);
    default: throw new RangeError(`format ${format} has no reader yet (readers: delta, parquet, avro, iceberg)`);
  }
}
