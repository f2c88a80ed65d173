/**
 * Small Delta tables written by hand for the reader's unit tests: a temp folder, commits given
 * as action objects, and the data file (10 integer rows, 0 to 9) and deletion vector file of the
 * golden table table-with-dv-small copied under any names.
 */
import { copyFileSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { goldenTable } from './delta-fixtures';
import { tempDir } from './temp-dir';

/** The golden data file: one integer column `value`, rows 0 to 9. */
export const DATA_FILE = 'part-00000-fae5310a-a37d-4e51-827b-c3d5516560ca-c000.snappy.parquet';
/** Its size in bytes. */
export const DATA_SIZE = 635;
/** The golden DV (rows 0 and 9 deleted), as its add action describes it. */
export const GOLDEN_DV = { storageType: 'u', pathOrInlineDv: 'vBn[lx{q8@P<9BNH/isA', offset: 1, sizeInBytes: 36, cardinality: 2 };

/** A protocol action. */
export function protocol(minReaderVersion = 1, readerFeatures?: string[]): Record<string, unknown> {
  return { protocol: { minReaderVersion, minWriterVersion: minReaderVersion === 3 ? 7 : 2, ...(readerFeatures ? { readerFeatures, writerFeatures: readerFeatures } : {}) } };
}

/** A metaData action for `fields` (default: the data file's `value integer`). */
export function metadata(configuration: Record<string, string> = {}, fields: unknown[] = [{ name: 'value', type: 'integer', nullable: true, metadata: {} }], partitionColumns: string[] = []): Record<string, unknown> {
  return { metaData: { id: 'synthetic', format: { provider: 'parquet', options: {} }, schemaString: JSON.stringify({ type: 'struct', fields }), partitionColumns, configuration, createdTime: 0 } };
}

/** An add action of the data file under `path` (URI-encoded as the log writes it). */
export function add(path: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { add: { path, partitionValues: {}, size: DATA_SIZE, modificationTime: 0, dataChange: true, stats: '{"numRecords":10}', ...extra } };
}

/** A remove action. */
export function remove(path: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { remove: { path, deletionTimestamp: 0, dataChange: true, ...extra } };
}

/** A table folder with the given commits (version = index), data files at `dataFiles` (decoded paths). */
export function syntheticTable(commits: Array<Array<Record<string, unknown>>>, dataFiles: string[] = [], options: { commitTimes?: number[] } = {}): string {
  const root = tempDir('delta-synthetic-');
  const golden = goldenTable('table-with-dv-small');
  mkdirSync(join(root, '_delta_log'));
  commits.forEach((actions, version) => {
    const file = join(root, '_delta_log', `${String(version).padStart(20, '0')}.json`);
    writeFileSync(file, actions.map((a) => JSON.stringify(a)).join('\n') + '\n');
    const time = options.commitTimes?.[version];
    if (time !== undefined) utimesSync(file, time / 1000, time / 1000);
  });
  for (const path of dataFiles) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    copyFileSync(join(golden, DATA_FILE), join(root, path));
  }
  copyFileSync(join(golden, 'deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin'), join(root, 'deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin'));
  return root;
}
