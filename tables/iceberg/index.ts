/** The Iceberg reader: tables of format versions 1 and 2 read in place (see table.ts for the pipeline). */
export { openIcebergTable, type IcebergTable, type IcebergTableOptions } from './table';
export { icebergHistory, type IcebergHistoryEntry } from './history';
export { currentMetadataKey, readMetadataFile } from './locate';
export { IcebergSnapshotNotFoundError, IcebergTableError, IcebergUnsupportedError } from './errors';
export type { SnapshotSelector } from './snapshots';
