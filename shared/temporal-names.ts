/**
 * The Temporal names operators see (PRODUCT.md): task queue, workflow types, workflow IDs,
 * search attributes. Pure: imported by workflows, the worker and the CLI alike.
 */

/** The default task queue. */
export const TASK_QUEUE = 's3-connector';

/** Keyword search attributes registered on the namespace. */
export const SEARCH_ATTRIBUTES = ['ConnectorJob', 'ConnectorSource', 'ConnectorDataset'] as const;

/** Workflow types. Job workflows have one running copy per job; probes may run many at once. */
export const WORKFLOW_TYPES = {
  bulkImport: 'bulkImport',
  incrementalSync: 'incrementalSync',
  mediaSync: 'mediaSync',
  fileExport: 'fileExport',
  checkSource: 'checkSource',
  exploreSource: 'exploreSource',
  previewSource: 'previewSource',
} as const;

/** A workflow type name. */
export type WorkflowType = keyof typeof WORKFLOW_TYPES;

/**
 * The workflow ID of a job: `<type>/<job>`. Being fixed per job, it lets Temporal refuse a
 * second concurrent copy. `unique` suffixes one-off probes (check, explore) so they never clash.
 */
export function workflowId(type: WorkflowType, job: string, unique?: string): string {
  return unique ? `${type}/${job}/${unique}` : `${type}/${job}`;
}

/** Workflow types of jobs (runs listed by `runs`): one running copy per job. */
export const JOB_WORKFLOW_TYPES = ['bulkImport', 'incrementalSync', 'mediaSync', 'fileExport'] as const satisfies readonly WorkflowType[];

/** The query every sync run answers with its SyncProgress (the handler is in workflows/sync.ts). */
export const PROGRESS_QUERY = 'progress';

/** The Temporal Schedule ID of a job's `schedule:` block. */
export function scheduleId(job: string): string {
  return `schedule/${job}`;
}
