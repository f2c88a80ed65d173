/**
 * What a folder is, from its delimiter listing alone (pure logic, no I/O), for `tables discover`:
 * - Delta: it holds `_delta_log/` whose listing has a commit (`<20 digits>.json`) or a
 *   checkpoint (`<20 digits>.checkpoint[...].parquet|json`), as the Delta protocol names them;
 * - Iceberg: it holds `metadata/` whose listing has a `*.metadata.json` (the table metadata
 *   files of the Iceberg spec, `v<n>.` or `<n>-<uuid>.` in front);
 * - data: it holds Parquet or Avro files itself, or hive partition folders (`key=value/`), so it
 *   is the folder above the first partition folder;
 * - otherwise nothing: its subfolders are looked at in turn.
 * Names starting with `_` or `.` are never data (Spark's `_SUCCESS`, `_temporary/`, `.crc`
 * files), as for the Parquet and Avro table readers.
 */

/** A format `tables discover` proposes. */
export type DiscoveredFormat = 'delta' | 'iceberg' | 'parquet' | 'avro';

/** One file of a listing: its name within the folder. */
export interface ListedFile {
  name: string;
  size: number;
}

/** A folder's delimiter listing: its files and its subfolders, by name (without the slash). */
export interface FolderListing {
  files: ListedFile[];
  subfolders: string[];
}

/** What a folder is, and what to look at next. */
export type FolderKind =
  /** It holds `_delta_log/`: list that to confirm. */
  | { kind: 'delta-log' }
  /** It holds `metadata/`: list that to confirm. */
  | { kind: 'iceberg-metadata' }
  /** It holds data files or partition folders: a table of data files, listed whole next. */
  | { kind: 'data' }
  /** Nothing of a table: its subfolders may be. */
  | { kind: 'none'; subfolders: string[] };

const DELTA_LOG_ENTRY = /^\d{20}\.(json|checkpoint(\.\d{10}\.\d{10})?\.parquet|checkpoint\.[0-9a-fA-F-]{36}\.(json|parquet))$/;
const ICEBERG_METADATA = /\.metadata\.json(\.gz)?$|\.gz\.metadata\.json$/;

/** Whether a name is hidden from table readers (`_SUCCESS`, `_temporary`, `.crc`, `.hoodie`). */
export function isHiddenName(name: string): boolean {
  return name.startsWith('_') || name.startsWith('.');
}

/** Whether a folder name is a hive partition (`key=value`, a non-empty key). */
export function isPartitionFolder(name: string): boolean {
  return name.indexOf('=') > 0 && !isHiddenName(name);
}

/** The data format of a file name, or undefined when it is not a data file of a table. */
export function dataFormatOf(name: string): 'parquet' | 'avro' | undefined {
  if (isHiddenName(name)) return undefined;
  const lower = name.toLowerCase();
  if (lower.endsWith('.parquet')) return 'parquet';
  if (lower.endsWith('.avro')) return 'avro';
  return undefined;
}

/** Whether a `_delta_log/` listing holds a commit or a checkpoint (a `_delta_log/` of `.crc` files alone is no table). */
export function isDeltaLog(listing: FolderListing): boolean {
  return listing.files.some((f) => DELTA_LOG_ENTRY.test(f.name));
}

/** The newest version among a `_delta_log/` listing's commits and checkpoints, or undefined. */
export function newestDeltaVersion(listing: FolderListing): number | undefined {
  let newest: number | undefined;
  for (const f of listing.files) {
    if (!DELTA_LOG_ENTRY.test(f.name)) continue;
    const version = Number(f.name.slice(0, 20));
    if (newest === undefined || version > newest) newest = version;
  }
  return newest;
}

/** The `*.metadata.json` files of a `metadata/` listing, in name order (the last is the newest by Iceberg's naming). */
export function icebergMetadataFiles(listing: FolderListing): string[] {
  return listing.files.map((f) => f.name).filter((n) => ICEBERG_METADATA.test(n)).sort(byVersion);
}

/** Orders `v2.metadata.json` before `v10.metadata.json`, and `00002-...` before `00010-...`. */
function byVersion(a: string, b: string): number {
  const n = (s: string) => Number(/^v?(\d+)/.exec(s)?.[1] ?? -1);
  return n(a) - n(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * What a folder is, by its listing (see the file's comment). `_delta_log/` wins over `metadata/`
 * (a Delta table with Iceberg metadata beside it, UniForm, is read as Delta).
 */
export function classifyFolder(listing: FolderListing): FolderKind {
  if (listing.subfolders.includes('_delta_log')) return { kind: 'delta-log' };
  if (listing.subfolders.includes('metadata')) return { kind: 'iceberg-metadata' };
  const visible = listing.subfolders.filter((s) => !isHiddenName(s));
  if (listing.files.some((f) => dataFormatOf(f.name) !== undefined) || visible.some(isPartitionFolder)) return { kind: 'data' };
  return { kind: 'none', subfolders: visible };
}

/** The partition column of a partition folder name (`day=2024-01-01` -> `day`), URI-decoded as Hive escapes it. */
export function partitionColumnOf(folder: string): string {
  const raw = folder.slice(0, folder.indexOf('='));
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The format of a key below a data table's folder when the table's reader reads it: a visible
 * `.parquet` or `.avro` file whose folders are visible or hive partitions (the rule of the
 * Parquet and Avro readers' isParquetDataKey and isAvroDataKey).
 */
export function dataKeyFormat(key: string): 'parquet' | 'avro' | undefined {
  const parts = key.split('/');
  const name = parts[parts.length - 1] as string;
  if (!parts.slice(0, -1).every((p) => !isHiddenName(p) || p.includes('='))) return undefined;
  return dataFormatOf(name);
}

/** What a data table's recursive listing holds, tallied key by key. */
export class TableFilesTally {
  /** Data files by format. */
  readonly formats = new Map<'parquet' | 'avro', number>();
  files = 0;
  bytes = 0;
  /** Hive partition columns in the order first seen. */
  readonly partitionColumns: string[] = [];
  /** The folder of a Delta or Iceberg table found inside, whose files the table would read as its own. */
  nestedTable: string | undefined;

  /** Adds one key (relative to the table's folder) and its size. */
  add(key: string, size: number): void {
    const parts = key.split('/');
    const folders = parts.slice(0, -1);
    if (this.nestedTable === undefined) {
      const log = folders.indexOf('_delta_log');
      const meta = folders.lastIndexOf('metadata');
      if (log >= 0 && DELTA_LOG_ENTRY.test(parts[parts.length - 1] as string)) this.nestedTable = folders.slice(0, log).map((f) => `${f}/`).join('');
      else if (meta >= 0 && meta === folders.length - 1 && ICEBERG_METADATA.test(parts[parts.length - 1] as string)) this.nestedTable = folders.slice(0, meta).map((f) => `${f}/`).join('');
    }
    const format = dataKeyFormat(key);
    if (!format) return;
    this.formats.set(format, (this.formats.get(format) ?? 0) + 1);
    this.files++;
    this.bytes += size;
    for (const folder of folders) {
      if (!isPartitionFolder(folder)) continue;
      const column = partitionColumnOf(folder);
      if (!this.partitionColumns.includes(column)) this.partitionColumns.push(column);
    }
  }
}
