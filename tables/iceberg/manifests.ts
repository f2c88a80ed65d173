/**
 * A snapshot's files (the specification's "Manifests" and "Manifest Lists"): its manifest list
 * read, then each manifest, their entries' fields found by field id. Entries whose status is
 * DELETED are dropped (EXISTING and ADDED are live); null sequence numbers of ADDED entries
 * inherit their manifest's (format version 2, "Sequence Number Inheritance"); format version 1
 * has none (0). Every path goes through the storage, which refuses one outside the table's root.
 */
import { checkRelativeKey, type TableStorage } from '../storage';
import { fieldsById, readAvroObjects, valueById } from './avro-objects';
import { IcebergTableError } from './errors';
import type { Snapshot } from './metadata';

/** What a content file holds. */
export type FileContent = 'data' | 'position-deletes' | 'equality-deletes';

/** A live data or delete file of a snapshot. */
export interface ContentFile {
  content: FileContent;
  /** The path as the manifest has it (an absolute URI). */
  path: string;
  /** Its key below the table's root. */
  key: string;
  /** `file_format`, upper case: PARQUET, AVRO, ORC, PUFFIN. */
  format: string;
  specId: number;
  /** Partition values by partition field id, as the manifest stores them (raw Avro values). */
  partition: Map<number, unknown>;
  recordCount: number;
  size: number;
  /** The data sequence number, inherited when the entry has none. */
  sequenceNumber: bigint;
  /** Equality delete files: the field ids rows are compared on. */
  equalityIds?: number[];
  /** Position delete files that apply to one data file only (its path). */
  referencedDataFile?: string;
  /** Column statistics by field id, as stored (bounds in Iceberg's single-value serialization; see bounds.ts). */
  stats: FileStats;
  /** Whether its entry is ADDED (status 1) rather than EXISTING: incremental reads take the added ones. */
  added?: boolean;
  /** The snapshot that added the file (the entry's snapshot_id, inherited from the manifest when null). */
  snapshotId?: bigint;
}

/** A file's column statistics from its manifest entry. */
export interface FileStats {
  lowerBounds: Map<number, Uint8Array>;
  upperBounds: Map<number, Uint8Array>;
  nullValueCounts: Map<number, number>;
  valueCounts: Map<number, number>;
}

/** An Iceberg map stored in Avro (an array of key/value records) as a Map. */
function mapOf<V>(raw: unknown, value: (v: unknown) => V): Map<number, V> {
  const out = new Map<number, V>();
  if (!Array.isArray(raw)) return out;
  for (const entry of raw as Array<{ key?: unknown; value?: unknown }>) {
    if (entry.key !== undefined && entry.value !== undefined && entry.value !== null) out.set(Number(entry.key), value(entry.value));
  }
  return out;
}

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/** The key of a path in table metadata: absolute URIs through the storage (refused outside the root), relative ones below the root. */
export function keyOfPath(storage: TableStorage, path: string): string {
  return SCHEME.test(path) ? storage.keyOfUri(path) : checkRelativeKey(path, storage.location);
}

/** One manifest as the manifest list describes it. */
export interface ManifestRef {
  path: string;
  specId?: number;
  content: 'data' | 'deletes';
  sequenceNumber: bigint;
  /** The snapshot that wrote it (`added_snapshot_id`), when the list says. */
  addedSnapshotId?: bigint;
  /** Live files it holds (added and existing), when the list says. */
  liveFiles?: number;
  /** Per field of its partition spec, in order: the summary of the partition values of its files. */
  partitions?: Array<{ containsNull: boolean; lower?: Uint8Array; upper?: Uint8Array }>;
}

const bigOf = (v: unknown): bigint | undefined => (v === null || v === undefined ? undefined : BigInt(v as bigint | number));

/** The manifests of a snapshot: from its manifest list, or (format version 1) its `manifests` list. */
export async function manifestsOf(storage: TableStorage, snapshot: Snapshot): Promise<ManifestRef[]> {
  if (snapshot.manifestList === undefined) {
    return (snapshot.manifests ?? []).map((path) => ({ path, content: 'data', sequenceNumber: 0n }));
  }
  const list = await readAvroObjects(storage, keyOfPath(storage, snapshot.manifestList), 'manifest list');
  const ids = fieldsById(list.schema);
  // The partition field summaries: an array (field id 507) of records (509 contains_null, 510 lower_bound, 511 upper_bound).
  const summaryIds = fieldsById((ids.get(507)?.schema as { items?: unknown } | undefined)?.items);
  return list.records.map((r) => {
    const path = valueById(r, ids, 500);
    if (typeof path !== 'string') throw new IcebergTableError(`${snapshot.manifestList}: a manifest list entry has no manifest_path`);
    const content = Number(valueById(r, ids, 517) ?? 0);
    if (content !== 0 && content !== 1) throw new IcebergTableError(`${snapshot.manifestList}: manifest ${path} has content ${content}, neither data (0) nor deletes (1)`);
    const added = valueById(r, ids, 504);
    const existing = valueById(r, ids, 505);
    const summaries = valueById(r, ids, 507);
    const bytes = (v: unknown) => (v instanceof Uint8Array ? new Uint8Array(v) : undefined);
    return {
      path, specId: Number(valueById(r, ids, 502) ?? 0), content: content === 0 ? 'data' : 'deletes',
      sequenceNumber: bigOf(valueById(r, ids, 515)) ?? 0n,
      ...(bigOf(valueById(r, ids, 503)) !== undefined ? { addedSnapshotId: bigOf(valueById(r, ids, 503)) } : {}),
      ...(added !== undefined && added !== null && existing !== undefined && existing !== null ? { liveFiles: Number(added) + Number(existing) } : {}),
      ...(Array.isArray(summaries) ? {
        partitions: (summaries as Array<Record<string, unknown>>).map((p) => ({
          containsNull: valueById(p, summaryIds, 509) !== false, lower: bytes(valueById(p, summaryIds, 510)), upper: bytes(valueById(p, summaryIds, 511)),
        })),
      } : {}),
    };
  });
}

/** The live files of `snapshot`: data files and delete files, in manifest order. */
export async function snapshotFiles(storage: TableStorage, snapshot: Snapshot): Promise<ContentFile[]> {
  const out: ContentFile[] = [];
  for (const manifest of await manifestsOf(storage, snapshot)) out.push(...await manifestFiles(storage, manifest));
  return out;
}

export async function manifestFiles(storage: TableStorage, manifest: ManifestRef): Promise<ContentFile[]> {
  const file = await readAvroObjects(storage, keyOfPath(storage, manifest.path), 'manifest');
  const where = manifest.path;
  const entry = fieldsById(file.schema);
  const dataFileField = entry.get(2);
  if (!dataFileField) throw new IcebergTableError(`${where}: the manifest's entries have no data_file (field id 2)`);
  const df = fieldsById(dataFileField.schema);
  const partitionField = df.get(102);
  const partitionIds = partitionField ? fieldsById(partitionField.schema) : new Map();
  const specId = manifest.specId ?? Number(file.metadata.get('partition-spec-id') ?? 0);
  const out: ContentFile[] = [];
  for (const record of file.records) {
    const status = Number(valueById(record, entry, 0));
    if (status === 2) continue; // DELETED: recorded for history, not part of the snapshot
    if (status !== 0 && status !== 1) throw new IcebergTableError(`${where}: an entry has status ${status} (0 EXISTING, 1 ADDED, 2 DELETED)`);
    const data = valueById(record, entry, 2) as Record<string, unknown>;
    let sequenceNumber = bigOf(valueById(record, entry, 3));
    if (sequenceNumber === undefined) {
      if (status !== 1 && manifest.sequenceNumber !== 0n) throw new IcebergTableError(`${where}: an EXISTING entry has no sequence number; only ADDED entries inherit the manifest's`);
      sequenceNumber = manifest.sequenceNumber;
    }
    const path = valueById(data, df, 100);
    if (typeof path !== 'string') throw new IcebergTableError(`${where}: an entry has no file_path`);
    const contentCode = Number(valueById(data, df, 134) ?? 0);
    const content: FileContent = contentCode === 0 ? 'data' : contentCode === 1 ? 'position-deletes' : contentCode === 2 ? 'equality-deletes' : (() => { throw new IcebergTableError(`${where}: file ${path} has content ${contentCode}`); })();
    if ((content === 'data') !== (manifest.content === 'data')) throw new IcebergTableError(`${where}: ${content} file ${path} in a ${manifest.content} manifest`);
    const partition = new Map<number, unknown>();
    const values = (valueById(data, df, 102) ?? {}) as Record<string, unknown>;
    for (const [id, f] of partitionIds) partition.set(id, values[f.name] ?? null);
    const equality = valueById(data, df, 135);
    const referenced = valueById(data, df, 143);
    const snapshotId = bigOf(valueById(record, entry, 1)) ?? manifest.addedSnapshotId;
    out.push({
      content, path, key: keyOfPath(storage, path), format: String(valueById(data, df, 101) ?? '').toUpperCase(), specId, partition,
      recordCount: Number(valueById(data, df, 103)), size: Number(valueById(data, df, 104)), sequenceNumber,
      ...(Array.isArray(equality) ? { equalityIds: equality.map(Number) } : {}),
      ...(typeof referenced === 'string' ? { referencedDataFile: referenced } : {}),
      added: status === 1, ...(snapshotId !== undefined ? { snapshotId } : {}),
      stats: {
        lowerBounds: mapOf(valueById(data, df, 125), (v) => new Uint8Array(v as Uint8Array)),
        upperBounds: mapOf(valueById(data, df, 128), (v) => new Uint8Array(v as Uint8Array)),
        nullValueCounts: mapOf(valueById(data, df, 110), Number),
        valueCounts: mapOf(valueById(data, df, 109), Number),
      },
    });
  }
  return out;
}
