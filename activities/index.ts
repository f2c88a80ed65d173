/**
 * The worker's activities, built by a factory over injected clients: each takes job names, run
 * keys, page numbers and cursors, never secrets, object bytes or key lists. Workflows import
 * only the type `ConnectorActivities`. Errors are mapped to Temporal failures once, by the
 * worker's interceptor (worker/failure-interceptor.ts), from the kind each error was born with.
 */
import type { ConnectorConfig } from '../config/schema';
import type { StoreBackend } from '../datasets/backend';
import { checkPermissions, type CheckResult } from '../exploration/check';
import { explorePage, type ExploreEntry, type ExplorePage, type ExploreRequest } from '../exploration/explore';
import { abortExport, commitExport, type CommitExportInput } from '../exports/finish';
import { planExport, type ExportPlanInput } from '../exports/plan';
import { uploadPage, type UploadPageInput } from '../exports/upload-page';
import { activityContext, withLiveness } from '../jobs/activity-context';
import type { JobDeps } from '../jobs/deps';
import { abortTableSync, commitTableSync, type TableSyncRunInput } from '../pipelines/finish';
import { planTableSync, type TableSyncPlanInput } from '../pipelines/table-plan';
import { writeTablePage, type TableSyncWriteInput } from '../pipelines/write-page';
import { previewObject, type PreviewResult } from '../preview/preview';
import { ConcurrencyRegistry } from '../s3/adaptive-concurrency';
import type { SourceRegistry } from '../s3/source-registry';
import { previewAvroRows } from '../tables/avro/preview';
import type { DiscoveredTable, DiscoverRequest, DiscoverResult } from '../tables/discover';
import { discoverSource } from '../tables/discover-catalog';
import { checkTableEntry, type TableEntry } from '../tables/discover-names';
import type { ReadFormat } from '../tables/read-output';
import { readFolder, readTableToStore, type StoredRead } from '../tables/read-to-store';
import { readTableRecord, writeTableRecord, type TableRecord } from '../tables/registry';
import {
  inspectTable, openTable, previewTable, tableHistory, TableRequestError,
  type ReadRequest, type TableHistoryEntry, type TablePreview,
} from '../tables/registry-ops';
import { abortRun, commitRun, startRun, type AbortRunInput, type CommitInput } from '../syncs/commit-run';
import { copyPage, type CopyPageInput } from '../syncs/copy-page';
import { planPage, type PlanPageInput } from '../syncs/plan-page';
import { dryRunSync, type SyncDryRun } from '../syncs/dry-run';

/** What the activities need from the worker. The store is opened lazily: probes never need it. */
export interface ActivityDeps {
  sources: SourceRegistry;
  config?: ConnectorConfig;
  store?: () => StoreBackend;
}

/** Builds the activities over `deps`. */
export function createActivities({ sources, config, store }: ActivityDeps) {
  const concurrency = new ConcurrencyRegistry();
  const job = (): JobDeps => {
    if (!config || !store) throw new Error('this worker was built without a dataset store; job activities cannot run on it.');
    return { config, sources, store: store(), concurrency };
  };
  /** `entry`: a table the caller's config has and this worker's may not yet (`tables discover --apply`). */
  const table = (name: string, entry?: TableEntry) => {
    if (!config) throw new TableRequestError('this worker was built without a config; table activities cannot run on it.');
    if (entry) checkTableEntry(name, entry);
    return openTable(entry ? { ...config, virtualTables: { ...config.virtualTables, [name]: entry } } : config, sources, name);
  };
  return {
    /** Finds where an incremental run starts (syncs/commit-run.ts). */
    syncStartRun: (name: string) => withLiveness(() => startRun(job(), name)),
    /** Lists and plans the next stretch of the prefix (syncs/plan-page.ts). */
    syncPlanPage: (input: PlanPageInput) => withLiveness(() => planPage(job(), input)),
    /** Copies one planned page, heartbeating its progress (syncs/copy-page.ts). */
    syncCopyPage: (input: CopyPageInput) => copyPage(job(), input),
    /** Commits the run as one transaction (syncs/commit-run.ts). */
    syncCommitRun: (input: CommitInput) => withLiveness(() => commitRun(job(), input)),
    /** What a run of the job would copy, writing nothing (syncs/dry-run.ts). */
    syncDryRun: (name: string, now: number): Promise<SyncDryRun> => withLiveness(() => dryRunSync(job(), name, { now })),
    /** Removes a failed or cancelled run's staging files (syncs/commit-run.ts). */
    syncAbortRun: (input: AbortRunInput) => withLiveness(() => abortRun(job(), input)),
    /** Decides what an export run exports and stores its plan pages (exports/plan.ts). */
    exportPlan: (input: ExportPlanInput) => withLiveness(() => planExport(job(), input)),
    /** Uploads one plan page, heartbeating its multipart state (exports/upload-page.ts). */
    exportUploadPage: (input: UploadPageInput) => uploadPage(job(), input),
    /** Records what was exported (exports/finish.ts). */
    exportCommit: (input: CommitExportInput) => withLiveness(() => commitExport(job(), input)),
    /** Aborts the open multipart uploads of a failed or cancelled export run (exports/finish.ts). */
    exportAbort: (input: { job: string; runKey: string }) => withLiveness(() => abortExport(job(), input)),
    /** Probes the source's permissions (exploration/check.ts). */
    checkSource: (source: string): Promise<CheckResult> => checkPermissions(sources.get(source)),
    /** Lists one page of folders and files below a path (exploration/explore.ts). */
    exploreSource: (source: string, request: ExploreRequest): Promise<ExplorePage> => explorePage(sources.get(source), request),
    /** The first rows or the media type of one object (preview/preview.ts). */
    previewSource: (source: string, path: string, limit: number): Promise<PreviewResult> => previewObject(sources.get(source), path, limit, { avro: previewAvroRows }),
    /** Finds the tables below a folder of the source, by bounded delimiter listings, and its catalog's (tables/discover.ts, tables/discover-catalog.ts). */
    tablesDiscover: (source: string, request: DiscoverRequest): Promise<DiscoverResult> => withLiveness(() => discoverSource(sources, source, request)),
    /**
     * Reads virtual table `name`'s latest snapshot, records it in the dataset store (tables/registry.ts)
     * and returns the record with the one it replaced. With `entry`, the table is that entry (its
     * source must be in this worker's config), not the worker's `virtualTables.<name>`.
     */
    tableRegister: (name: string, entry?: TableEntry): Promise<TableRegistration> => withLiveness(async () => {
      const opened = table(name, entry);
      const record = await inspectTable(opened);
      const { store: datasets } = job();
      const previous = await readTableRecord(datasets, name);
      await writeTableRecord(datasets, record);
      return { record, ...(previous ? { previous } : {}) };
    }),
    /** The first rows of a virtual table, as exact JSON lines (tables/registry-ops.ts). */
    tablePreview: (name: string, limit: number): Promise<TablePreview> => withLiveness(() => previewTable(table(name), limit)),
    /** A virtual table's commits, newest first (tables/registry-ops.ts). */
    tableHistory: (name: string, limit: number): Promise<TableHistoryEntry[]> => withLiveness(() => tableHistory(table(name), limit)),
    /**
     * Streams a read of virtual table `name` in `format` into the dataset store below
     * `_reads/<readId>/` and returns where (tables/read-to-store.ts); the caller copies it out and
     * removes it. A failed or cancelled read leaves nothing there.
     */
    tableRead: (name: string, request: ReadRequest, format: ReadFormat, readId: string): Promise<StoredRead> => withLiveness(() => (
      readTableToStore(table(name), request, format, job().store, readFolder(readId), activityContext()?.cancellationSignal))),
    /** Plans a table sync run: the table's appends since the job's cursor, or its snapshot (pipelines/table-plan.ts). */
    tableSyncPlan: (input: TableSyncPlanInput) => withLiveness(() => planTableSync(job(), input)),
    /** Writes one plan page of a table sync run as Parquet files, heartbeating (pipelines/write-page.ts). */
    tableSyncWritePage: (input: TableSyncWriteInput) => writeTablePage(job(), input),
    /** Commits a table sync run with its cursor as one transaction (pipelines/finish.ts). */
    tableSyncCommit: (input: TableSyncRunInput) => withLiveness(() => commitTableSync(job(), input)),
    /** Removes a failed or cancelled table sync run's files (pipelines/finish.ts). */
    tableSyncAbort: (input: TableSyncRunInput) => withLiveness(() => abortTableSync(job(), input)),
  };
}

/** What `tableRegister` did: the new record and the one it replaced. */
export interface TableRegistration {
  record: TableRecord;
  previous?: TableRecord;
}

/** The activity interface, for `proxyActivities<ConnectorActivities>()`. */
export type ConnectorActivities = ReturnType<typeof createActivities>;
export type { CheckResult, ExploreEntry, ExplorePage, ExploreRequest, PreviewResult, TableHistoryEntry, TablePreview, TableRecord };
export type { ReadFormat, ReadRequest, StoredRead };
export type { DiscoveredTable, DiscoverRequest, DiscoverResult, TableEntry };
export type { SyncDryRun };
