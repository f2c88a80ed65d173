/**
 * Starting a job's workflow: its type, ID, input and search attributes come from the resolved
 * job (jobs/job.ts), and a job never runs twice at once: a second start attaches to the
 * running copy.
 */
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { InvalidArgumentError } from 'commander';
import type { Job } from '../jobs/job';
import { jobSearchAttributes, SEARCH_ATTRIBUTE_KEYS, workflowId, type JobWorkflowType } from '../shared/temporal-contract';
import { bulkImport, fileExport, incrementalSync, mediaSync, tableSync } from '../workflows';
import type { ExportInput } from '../workflows/export-types';
import type { SyncInput } from '../workflows/sync-types';
import type { TableSyncInput } from '../workflows/table-sync-types';

/** Commander parser of a JOB argument: a config name, so that it is safe inside visibility queries. */
export function parseJobName(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(value)) throw new InvalidArgumentError('is not a job name (1-128 letters, digits, dots, dashes, underscores).');
  return value;
}

/** A job workflow function with its input. */
type WorkflowCall =
  | { workflow: typeof bulkImport | typeof incrementalSync | typeof mediaSync; args: [SyncInput] }
  | { workflow: typeof fileExport; args: [ExportInput] }
  | { workflow: typeof tableSync; args: [TableSyncInput] };

/** Everything needed to start one job's workflow, by hand or from a Schedule. */
export type JobWorkflow = WorkflowCall & {
  job: Job;
  type: JobWorkflowType;
  workflowId: string;
  searchAttributes: SearchAttributePair[];
  /** The one line the Web UI shows for every run of the job (its static summary). */
  summary: string;
};

/** What a run of `job` moves, in one line: names and modes only, never secrets. */
export function jobSummary(job: Job): string {
  switch (job.kind) {
    case 'sync': return `${job.mode} sync ${job.name}: source ${job.source} -> dataset ${job.dataset} (${job.transaction} transaction)`;
    case 'export': return `${job.mode} export ${job.name}: dataset ${job.dataset} -> s3://${job.bucket}/${job.keyPrefix} (source ${job.source})`;
    case 'tableSync': return `table sync ${job.name}: ${job.format} table ${job.table} (source ${job.source}) -> dataset ${job.dataset} (${job.incremental ? 'appended rows' : 'snapshot'})`;
  }
}

const SYNC_WORKFLOWS = { bulkImport, incrementalSync, mediaSync } as const;

/** The workflow start of `job`: names and the retry budget only, never secrets. */
export function jobWorkflow(job: Job): JobWorkflow {
  const input = { job: job.name, source: job.source, dataset: job.dataset, maxErrorRetries: job.maxErrorRetries };
  const start = { job, type: job.workflowType, workflowId: workflowId(job.workflowType, job.name), searchAttributes: jobSearchAttributes(job), summary: jobSummary(job) };
  switch (job.kind) {
    case 'sync': return { ...start, workflow: SYNC_WORKFLOWS[job.workflowType], args: [input] };
    case 'export': return { ...start, workflow: fileExport, args: [input] };
    case 'tableSync': return { ...start, workflow: tableSync, args: [input] };
  }
}

/** A started (or attached-to) job run. */
export interface StartedJob {
  workflowId: string;
  /** The run this start began, or the running one it attached to. */
  runId: string;
  type: JobWorkflowType;
  /** True when the job was already running and nothing new was started. */
  attached: boolean;
  /** Follows the run (and its continue-as-new successors) to its result. */
  handle: WorkflowHandle;
}

/**
 * A running run of `job` other than workflow `except`. Runs started by a Schedule have their own
 * IDs (Temporal appends the scheduled time to `<type>/<job>`), so a fixed ID alone cannot keep
 * them from overlapping a manual start: this looks them up through visibility, which may lag
 * a second behind a start.
 */
export async function findRunningRun(client: Client, job: string, except?: string): Promise<{ workflowId: string; runId: string } | undefined> {
  for await (const run of client.workflow.list({ query: `${SEARCH_ATTRIBUTE_KEYS.job.name} = "${job}" AND ExecutionStatus = "Running"`, pageSize: 10 })) {
    if (run.workflowId !== except) return { workflowId: run.workflowId, runId: run.runId };
  }
  return undefined;
}

/**
 * Starts `wf` on `taskQueue`, or attaches to its running copy (saying so on stderr). A run
 * that has closed never blocks a new start.
 */
export async function startJob(client: Client, wf: JobWorkflow, taskQueue: string): Promise<StartedJob> {
  const job = wf.job.name;
  const attach = (id: string, runId: string): StartedJob => {
    process.stderr.write(`${wf.job.kind} ${job} is already running as ${id} (run ${runId}); attaching\n`);
    return { workflowId: id, runId, type: wf.type, attached: true, handle: client.workflow.getHandle(id) };
  };
  const scheduled = await findRunningRun(client, job, wf.workflowId);
  if (scheduled) return attach(scheduled.workflowId, scheduled.runId);
  try {
    const handle = await client.workflow.start(wf.workflow, {
      taskQueue, workflowId: wf.workflowId, args: wf.args, typedSearchAttributes: wf.searchAttributes, staticSummary: wf.summary,
      workflowIdConflictPolicy: 'FAIL', workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    return { workflowId: wf.workflowId, runId: handle.firstExecutionRunId, type: wf.type, attached: false, handle };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const { runId } = await client.workflow.getHandle(wf.workflowId).describe();
    return attach(wf.workflowId, runId);
  }
}
