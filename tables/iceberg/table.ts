/**
 * An Iceberg table read in place, as a {@link TableReader}: the pipeline of this folder, one
 * small step each: find the current metadata file (locate.ts, or a catalog's metadata location),
 * parse it (metadata.ts), choose the snapshot and schema (snapshots.ts), list its live files from
 * the manifest list and manifests (manifests.ts), load its deletes (deletes.ts), read its data
 * files by field id (scan.ts). The schema maps onto the common table types (types.ts).
 */
import { compileWhere } from '../predicate';
import { emptyScanStats, namesToRead } from '../scan-stats';
import type { TableStorage } from '../storage';
import { limitRows, selectColumns, type TableDescription, type TableReader, type TableRowBatch, type TableScanOptions, type TableSchema } from '../table-reader';
import { checkEqualityFields, loadDeletes, type DeleteIndex } from './deletes';
import { currentMetadataKey, placeOf, readMetadataFile } from './locate';
import { manifestMayMatch } from './manifest-pruning';
import { manifestFiles, manifestsOf, snapshotFiles, type ContentFile, type ManifestRef } from './manifests';
import { NAME_MAPPING_PROPERTY, parseNameMapping } from './name-mapping';
import { specById, type Snapshot, type TableMetadata } from './metadata';
import { scanDataFile, type IcebergScanPlan } from './scan';
import { selectSnapshot, type SnapshotSelector } from './snapshots';
import { fieldsById, tableStructOf, type IcebergField, type IcebergSchema } from './types';

/** Options of {@link openIcebergTable}: which snapshot (at most one of id, ref, time), and where the metadata is. */
export interface IcebergTableOptions extends SnapshotSelector {
  /** The metadata file's key below the root, when a catalog gave it; found in `metadata/` otherwise. */
  metadataKey?: string;
}

/** An opened Iceberg table at one snapshot. */
export interface IcebergTable extends TableReader {
  readonly metadataKey: string;
  readonly metadata: TableMetadata;
  /** The snapshot read; undefined for a table without one (no rows). */
  readonly snapshot?: Snapshot;
  /** The Iceberg schema read, and its common form. */
  readonly icebergSchema: IcebergSchema;
  readonly schema: TableSchema;
  /** The snapshot's live data and delete files (read from its manifests once). */
  files(): Promise<ContentFile[]>;
}

/** Opens the Iceberg table whose folder is `storage`'s root. */
export async function openIcebergTable(storage: TableStorage, options: IcebergTableOptions = {}): Promise<IcebergTable> {
  const metadataKey = options.metadataKey ?? await currentMetadataKey(storage);
  const metadata = await readMetadataFile(storage, metadataKey);
  const { snapshot, schema: icebergSchema } = selectSnapshot(metadata, options, placeOf(storage, metadataKey));
  const schema = tableStructOf(icebergSchema);
  // Every field of every schema by id, the newest schema's last: equality deletes may name dropped columns.
  const allFields = new Map<number, IcebergField>();
  for (const s of metadata.schemas) for (const [id, f] of fieldsById(s)) allFields.set(id, f);
  for (const [id, f] of fieldsById(icebergSchema)) allFields.set(id, f);
  const mappingText = metadata.properties[NAME_MAPPING_PROPERTY];
  const nameMapping = mappingText === undefined ? undefined : parseNameMapping(mappingText, placeOf(storage, metadataKey));
  const topLevel = new Set(metadata.schemas.flatMap((s) => s.fields.map((f) => f.id)));
  let files: Promise<ContentFile[]> | undefined;
  const liveFiles = (): Promise<ContentFile[]> => (files ??= snapshot ? snapshotFiles(storage, snapshot) : Promise.resolve([]));
  let deletes: Promise<DeleteIndex> | undefined;
  let manifests: Promise<ManifestRef[]> | undefined;
  const manifestList = (): Promise<ManifestRef[]> => (manifests ??= snapshot ? manifestsOf(storage, snapshot) : Promise.resolve([]));
  // Delete files only: read from the delete manifests, so that a pruned scan need not read every data manifest.
  const deleteFiles = async (): Promise<ContentFile[]> => {
    if (!snapshot) return [];
    if (files) return (await files).filter((f) => f.content !== 'data');
    const out: ContentFile[] = [];
    for (const m of await manifestList()) if (m.content === 'deletes') out.push(...await manifestFiles(storage, m));
    return out;
  };
  const deleteIndex = (): Promise<DeleteIndex> => (deletes ??= deleteFiles().then(async (all) => {
    const index = await loadDeletes(storage, all, allFields, metadata.specs);
    checkEqualityFields(index.equalityFieldIds, topLevel);
    return index;
  }));
  const defaultSpec = specById(metadata, metadata.defaultSpecId, placeOf(storage, metadataKey));
  const partitionColumns = defaultSpec.fields.filter((f) => f.transform === 'identity').flatMap((f) => {
    const source = icebergSchema.fields.find((x) => x.id === f.sourceId);
    return source ? [source.name] : [];
  });

  async function* scanAll(plan: Omit<IcebergScanPlan, 'deletes'>): AsyncGenerator<TableRowBatch> {
    const full: IcebergScanPlan = { ...plan, deletes: await deleteIndex() };
    if (!plan.where || !snapshot) {
      for (const file of await liveFiles()) if (file.content === 'data') yield* scanDataFile(full, file);
      return;
    }
    // With a predicate, data manifests whose partition summaries rule it out are not read.
    for (const manifest of await manifestList()) {
      if (manifest.content !== 'data') continue;
      if (!manifestMayMatch(plan.where, manifest, metadata.specs, allFields)) {
        plan.stats.filesTotal += manifest.liveFiles ?? 0;
        plan.stats.filesPrunedByPartition += manifest.liveFiles ?? 0;
        continue;
      }
      for (const file of await manifestFiles(storage, manifest)) if (file.content === 'data') yield* scanDataFile(full, file);
    }
  }

  let description: Promise<TableDescription> | undefined;
  return {
    metadataKey, metadata, snapshot, icebergSchema, schema, files: liveFiles,
    describe() {
      description ??= liveFiles().then((all) => {
        const data = all.filter((f) => f.content === 'data');
        return { format: 'iceberg', schema, partitionColumns, fileCount: data.length, bytes: data.reduce((n, f) => n + f.size, 0) };
      });
      return description;
    },
    scan(scan: TableScanOptions = {}) {
      const names = selectColumns(schema, scan.columns, storage.location).map((f) => f.name);
      const where = scan.where !== undefined ? compileWhere(scan.where, schema, storage.location) : undefined;
      const fields = namesToRead(names, where).map((n) => icebergSchema.fields.find((f) => f.name === n) as IcebergField);
      const plan = { storage, fields, names, fieldsById: allFields, specs: metadata.specs, where, stats: scan.stats ?? emptyScanStats(), planOnly: scan.planOnly === true, nameMapping };
      return limitRows(scanAll(plan), scan.limit);
    },
  };
}
