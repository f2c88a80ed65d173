/**
 * Starting a sync job's workflow: its type, ID, input and search attributes come from the
 * config, and a job never runs twice at once — a second start attaches to the running copy.
 */
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { InvalidArgumentError } from 'commander';
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { ConnectorConfig } from '../config/schema';
import { workflowId, type WorkflowType } from '../shared/temporal-names';
import type { ExportInput } from '../workflows/export-types';
import type { SyncInput } from '../workflows/sync-types';
import { UsageError } from './context';

/** The Keyword search attributes every job run carries (registered on the namespace). */
export const SEARCH_ATTRIBUTE_KEYS = {
  job: defineSearchAttributeKey('ConnectorJob', SearchAttributeType.KEYWORD),
  source: defineSearchAttributeKey('ConnectorSource', SearchAttributeType.KEYWORD),
  dataset: defineSearchAttributeKey('ConnectorDataset', SearchAttributeType.KEYWORD),
};

/** Commander parser of a JOB argument: a config name, so that it is safe inside visibility queries. */
export function parseJobName(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(value)) throw new InvalidArgumentError('is not a job name (1-128 letters, digits, dots, dashes, underscores).');
  return value;
}

/** Everything needed to start one job's workflow, by hand or from a Schedule. */
export interface JobWorkflow {
  job: string;
  type: WorkflowType;
  workflowId: string;
  args: [SyncInput] | [ExportInput];
  searchAttributes: SearchAttributePair[];
}

/**
 * Resolves sync job `job` of `config` into its workflow start.
 * @throws UsageError naming the known jobs when `job` is not a sync job, or when its mode is not built yet.
 */
export function jobWorkflow(config: ConnectorConfig, job: string): JobWorkflow {
  const sync = config.syncs[job];
  if (!sync) {
    const known = Object.keys(config.syncs).join(', ') || '(none: add one under syncs:)';
    const what = job in config.exports ? `"${job}" is an export, not a sync: run it with \`s3-connector export ${job}\`.` : `sync job "${job}" is not in the config.`;
    throw new UsageError(`${what} Fix: use one of the sync jobs: ${known}.`);
  }
  const type: WorkflowType = sync.mode === 'bulk' ? 'bulkImport' : sync.mode === 'media' ? 'mediaSync' : 'incrementalSync';
  const maxErrorRetries = config.sources[sync.source]?.maxErrorRetries ?? 3;
  return {
    job, type, workflowId: workflowId(type, job),
    args: [{ job, source: sync.source, dataset: sync.dataset, maxErrorRetries }],
    searchAttributes: [
      { key: SEARCH_ATTRIBUTE_KEYS.job, value: job },
      { key: SEARCH_ATTRIBUTE_KEYS.source, value: sync.source },
      { key: SEARCH_ATTRIBUTE_KEYS.dataset, value: sync.dataset },
    ],
  };
}

/** A started (or attached-to) job run. */
export interface StartedJob {
  workflowId: string;
  /** The run this start began, or the running one it attached to. */
  runId: string;
  type: WorkflowType;
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
  for await (const run of client.workflow.list({ query: `ConnectorJob = "${job}" AND ExecutionStatus = "Running"`, pageSize: 10 })) {
    if (run.workflowId !== except) return { workflowId: run.workflowId, runId: run.runId };
  }
  return undefined;
}

/**
 * Starts `job` on `taskQueue`, or attaches to its running copy (saying so on stderr). A run
 * that has closed never blocks a new start.
 */
export async function startJob(client: Client, config: ConnectorConfig, job: string, taskQueue: string,
  resolve: (config: ConnectorConfig, job: string) => JobWorkflow = jobWorkflow): Promise<StartedJob> {
  const wf = resolve(config, job);
  const attach = (id: string, runId: string): StartedJob => {
    process.stderr.write(`${wf.type === 'fileExport' ? 'export' : 'sync'} ${job} is already running as ${id} (run ${runId}); attaching\n`);
    return { workflowId: id, runId, type: wf.type, attached: true, handle: client.workflow.getHandle(id) };
  };
  const scheduled = await findRunningRun(client, job, wf.workflowId);
  if (scheduled) return attach(scheduled.workflowId, scheduled.runId);
  try {
    const handle = await client.workflow.start(wf.type, {
      taskQueue, workflowId: wf.workflowId, args: wf.args, typedSearchAttributes: wf.searchAttributes,
      workflowIdConflictPolicy: 'FAIL', workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    return { workflowId: wf.workflowId, runId: handle.firstExecutionRunId, type: wf.type, attached: false, handle };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const { runId } = await client.workflow.getHandle(wf.workflowId).describe();
    return attach(wf.workflowId, runId);
  }
}
