/**
 * `tables read --explain`: what a snapshot read with `--where` prunes and reads, from metadata
 * alone (the Delta log and checkpoint, the kept files' footers; no row group is read). The
 * figures are the scan's own (scan-stats.ts), so a read with the same options prunes exactly
 * the same files and row groups; the bytes the explain itself read are counted on the wire
 * side of the table storage (storage-counting.ts).
 */
import { readTableRows, TableRequestError, type OpenedTable, type ReadRequest } from './registry-ops';
import { emptyScanStats, type ScanStats } from './scan-stats';
import { CountingTableStorage } from './storage-counting';

/** The plan of one read. */
export interface ReadExplain extends ScanStats {
  table: string;
  /** The version read (tables with versions). */
  version?: number;
  /** The predicate, as given; absent for a read of every row. */
  where?: string;
  /** Files left to read. */
  filesToRead: number;
  /** Row groups left to read (of the files opened). */
  rowGroupsToRead: number;
  /** Bytes this explain read from S3: the log and footers. */
  metadataBytesRead: number;
  /** Its object and range reads. */
  metadataRequests: number;
}

/** Plans `request` on `table` without reading rows; `--since` reads are not planned (their rows are filtered, not pruned). */
export async function explainTableRead(table: OpenedTable, request: ReadRequest): Promise<ReadExplain> {
  if (request.since !== undefined) throw new TableRequestError('--explain plans snapshot reads; a --since read filters the changed rows by --where but prunes nothing, so there is no plan to show. Fix: leave out --explain or --since.');
  const storage = new CountingTableStorage(table.storage);
  const stats = emptyScanStats();
  let version: number | undefined;
  for await (const row of readTableRows({ ...table, storage }, { ...request, limit: undefined, stats, planOnly: true }, (h) => { version = h.version; })) {
    throw new Error(`a plan read a row (${Object.keys(row).length} columns): planOnly was not honoured`);
  }
  return {
    table: table.name, ...(version !== undefined ? { version } : {}), ...(request.where !== undefined ? { where: request.where } : {}),
    ...stats,
    filesToRead: stats.filesTotal - stats.filesPrunedByPartition - stats.filesPrunedByStatistics,
    rowGroupsToRead: stats.rowGroupsTotal - stats.rowGroupsPruned,
    metadataBytesRead: storage.counts.bytes, metadataRequests: storage.counts.reads,
  };
}

/** The plan as lines for people. */
export function explainLines(e: ReadExplain): string[] {
  const pct = (part: number, whole: number) => (whole > 0 ? ` (${((100 * part) / whole).toFixed(1)}%)` : '');
  return [
    `table ${e.table}${e.version !== undefined ? `, version ${e.version}` : ''}${e.where !== undefined ? `, where ${e.where}` : ''}`,
    `  files        ${e.filesTotal} in all, ${e.filesPrunedByPartition} pruned by partition, ${e.filesPrunedByStatistics} pruned by statistics, ${e.filesToRead} to read`,
    `  row groups   ${e.rowGroupsTotal} in the files opened, ${e.rowGroupsPruned} pruned by statistics, ${e.rowGroupsToRead} to read`,
    `  bytes        ${e.bytesToRead} to read${pct(e.bytesToRead, e.fileBytesTotal)} of ${e.fileBytesTotal} in the data files`,
    `  metadata     ${e.metadataBytesRead} bytes read in ${e.metadataRequests} requests to plan (log, footers)`,
  ];
}
