/**
 * The Temporal contract operators and schedulers see: task queue, workflow types and IDs,
 * search attributes, the `progress` query and what it answers. Defined once here and used by
 * the workflows, the worker and the CLI alike, so a name can never be spelled two ways.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { defineQuery } from '@temporalio/workflow';

/** The default task queue. */
export const TASK_QUEUE = 's3-connector';

/** Workflow types. Job workflows have one running copy per job; probes may run many at once. */
export const WORKFLOW_TYPES = {
  bulkImport: 'bulkImport',
  incrementalSync: 'incrementalSync',
  mediaSync: 'mediaSync',
  fileExport: 'fileExport',
  checkSource: 'checkSource',
  exploreSource: 'exploreSource',
  previewSource: 'previewSource',
  registerTable: 'registerTable',
  previewTable: 'previewTable',
  tableHistory: 'tableHistory',
  readTable: 'readTable',
  discoverTables: 'discoverTables',
  tableSync: 'tableSync',
  syncDryRun: 'syncDryRun',
} as const;

/** A workflow type name. */
export type WorkflowType = keyof typeof WORKFLOW_TYPES;

/** Workflow types of jobs (runs listed by `runs`): one running copy per job. */
export const JOB_WORKFLOW_TYPES = ['bulkImport', 'incrementalSync', 'mediaSync', 'fileExport', 'tableSync'] as const satisfies readonly WorkflowType[];

/** The workflow type of a job. */
export type JobWorkflowType = (typeof JOB_WORKFLOW_TYPES)[number];

/**
 * The workflow ID of a job: `<type>/<job>`. Being fixed per job, it lets Temporal refuse a
 * second concurrent copy. `unique` suffixes one-off probes (check, explore) so they never clash.
 */
export function workflowId(type: WorkflowType, job: string, unique?: string): string {
  return unique ? `${type}/${job}/${unique}` : `${type}/${job}`;
}

/** The Temporal Schedule ID of a job's `schedule:` block. */
export function scheduleId(job: string): string {
  return `schedule/${job}`;
}

/** The Keyword search attributes runs carry; registered on the namespace (`dev` does it). */
export const SEARCH_ATTRIBUTE_KEYS = {
  job: defineSearchAttributeKey('ConnectorJob', SearchAttributeType.KEYWORD),
  source: defineSearchAttributeKey('ConnectorSource', SearchAttributeType.KEYWORD),
  dataset: defineSearchAttributeKey('ConnectorDataset', SearchAttributeType.KEYWORD),
};

/** The search attributes' names, for registering them on a namespace. */
export const SEARCH_ATTRIBUTES = Object.values(SEARCH_ATTRIBUTE_KEYS).map((key) => key.name);

/** The search attributes of a job's runs. */
export function jobSearchAttributes(job: { name: string; source: string; dataset: string }): SearchAttributePair[] {
  return [
    { key: SEARCH_ATTRIBUTE_KEYS.job, value: job.name },
    { key: SEARCH_ATTRIBUTE_KEYS.source, value: job.source },
    { key: SEARCH_ATTRIBUTE_KEYS.dataset, value: job.dataset },
  ];
}

/** How hard a run has had to try: retried objects, and its request concurrency on the last worker. */
export interface RunEffort {
  /** Objects retried alone after a transient failure (resets, SlowDown, timeouts), summed over pages. */
  retries: number;
  /** Requests in flight allowed when the last page ended, and the source's maximum. */
  concurrency?: { limit: number; max: number };
}

/**
 * Progress of a sync run (bulkImport, incrementalSync, mediaSync, and tableSync, where `listed`
 * counts the table commits read, `objectsPlanned`/`bytesPlanned` the table's data files to read
 * and their bytes, and `filesCopied`/`bytesCopied` those read so far).
 */
export interface SyncProgress extends RunEffort {
  kind: 'sync';
  /** listing: the first page is being planned (listed and decided); copying: pages are copied (the next one listed meanwhile). */
  phase: 'starting' | 'listing' | 'copying' | 'committing' | 'done';
  pages: number;
  listed: number;
  objectsPlanned: number;
  bytesPlanned: number;
  filesCopied: number;
  bytesCopied: number;
  skipped: number;
  /** Files verified by their size only: their source offered no checksum or ETag to compare (e.g. SSE-KMS without a checksum). */
  verifiedBySizeOnly?: number;
}

/** Progress of an export run (fileExport). */
export interface ExportProgress extends RunEffort {
  kind: 'export';
  phase: 'planning' | 'uploading' | 'committing' | 'done';
  pages: number;
  filesPlanned: number;
  bytesPlanned: number;
  filesExported: number;
  bytesExported: number;
}

/** What the `progress` query of a job run answers. */
export type JobProgress = SyncProgress | ExportProgress;

/** The `progress` query every job run answers (and shows in the Web UI's details). */
export const progressQuery = defineQuery<JobProgress>('progress');
