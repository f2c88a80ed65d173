/**
 * A run named on the command line by its workflow ID (`bulkImport/orders`, anything with a `/`)
 * or by its job's name (`orders`): a job's runs are found through the ConnectorJob search
 * attribute, so runs its schedule started (their IDs carry the scheduled time) are found too.
 */
import type { Client } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_KEYS } from '../shared/temporal-contract';
import { UsageError } from './errors';
import { findRunningRun } from './start-job';

/** Whether `name` is a workflow ID rather than a job name (job names have no `/`). */
export function isWorkflowId(name: string): boolean {
  return name.includes('/');
}

/** The newest run of `job`, running or closed; visibility may lag a second behind a start. */
async function latestRun(client: Client, job: string): Promise<string | undefined> {
  // Visibility lists newest first (by start time).
  for await (const run of client.workflow.list({ query: `${SEARCH_ATTRIBUTE_KEYS.job.name} = "${job}"`, pageSize: 1 })) return run.workflowId;
  return undefined;
}

/**
 * The workflow ID `name` stands for: itself when it is one, else the running run of job `name`
 * (`running: true`) or its newest run. @throws UsageError naming the job when it has no such run.
 */
export async function resolveRun(client: Client, name: string, { running }: { running: boolean }): Promise<string> {
  if (isWorkflowId(name)) return name;
  const found = running ? (await findRunningRun(client, name))?.workflowId : await latestRun(client, name);
  if (found) return found;
  throw new UsageError(`job "${name}" has no ${running ? 'running run' : 'run'} on this Temporal namespace. `
    + 'Fix: check the name with `s3-connector runs`, or give the workflow ID (TYPE/JOB) it shows.');
}
