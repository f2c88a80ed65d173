/**
 * The Delta Lake reader: snapshots (with time travel) and their rows. See snapshot.ts and scan.ts.
 */
export { DeltaTableError, DeltaUnsupportedFeatureError, DeltaVersionNotFoundError } from './errors';
export { loadDeltaSnapshot, openDeltaSnapshot } from './snapshot';
export type { DeltaFile, DeltaSnapshot, DeltaSnapshotInfo, OpenedSnapshot, SnapshotOptions } from './snapshot';
export { scanDeltaFiles } from './scan';
export type { DeltaRow, DeltaRowBatch, DeltaScanOptions } from './scan';
export { readDeletionVector } from './deletion-vector';
export type { RowIndexSet } from './roaring';
export type { DeltaField, DeltaStructType, DeltaType, ColumnMappingMode } from './schema';
export type { DeltaValue } from './values';
export type { DeltaFileStats } from './stats';
export { SUPPORTED_READER_FEATURES } from './protocol';
export { CHANGE_FIELDS, DeltaChangeDataFeedDisabledError, openDeltaChanges, readDeltaChanges } from './cdf';
export type { DeltaChangeBatch, DeltaChangesOptions, DeltaChangeType, OpenedChanges } from './cdf';
