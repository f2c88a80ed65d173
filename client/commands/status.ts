/**
 * `status WORKFLOW_ID|JOB`: one run's state from Temporal — its description, its progress (the
 * `progress` query, which closed runs answer too while a worker can replay them) and its result
 * or failure.
 */
import { WorkflowFailedError, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { Command } from 'commander';
import { JOB_WORKFLOW_TYPES, SEARCH_ATTRIBUTE_KEYS, type JobProgress } from '../../shared/temporal-contract';
import type { ExportResult } from '../../workflows/export-types';
import type { SyncResult } from '../../workflows/sync-types';
import { temporalClient, UsageError, type GlobalOptions } from '../context';
import { rootMessage } from '../errors';
import { type PendingRetry, formatProgress, formatResult, formatRetries, queryProgress, retriesOf } from '../job-progress';
import { addGlobalOptions, parseOptions } from '../options';
import { printable } from '../printable';
import { isWorkflowId, resolveRun } from '../resolve-run';

/** What `status --json` prints. */
export interface RunStatus {
  workflowId: string;
  runId: string;
  workflowType: string;
  status: string;
  taskQueue: string;
  job: string | null;
  source: string | null;
  dataset: string | null;
  startTime: string;
  closeTime: string | null;
  progress: JobProgress | null;
  /** Activities Temporal is retrying now (attempt and last error): a listing that keeps failing shows here. */
  retrying: PendingRetry[];
  result: SyncResult | ExportResult | null;
  failure: string | null;
}

const JOB_TYPES: ReadonlySet<string> = new Set(JOB_WORKFLOW_TYPES);

/** The result of a completed run, or the root cause of a failed one. */
async function outcome(handle: WorkflowHandle, status: string): Promise<{ result: SyncResult | ExportResult | null; failure: string | null }> {
  if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') return { result: null, failure: null };
  try {
    return { result: await handle.result() as SyncResult | ExportResult, failure: null };
  } catch (err) {
    if (err instanceof WorkflowFailedError) return { result: null, failure: rootMessage(err) };
    throw err;
  }
}

/** Describes `workflowId` (its latest run). @throws UsageError when no such workflow exists. */
export async function runStatus(handle: WorkflowHandle, note: (line: string) => void): Promise<RunStatus> {
  let info;
  try {
    info = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new UsageError(`no workflow "${handle.workflowId}" in this namespace. Fix: find its ID with \`s3-connector runs\`.`);
    }
    throw err;
  }
  const status = info.status.name;
  const run = handle.client.getHandle(info.workflowId, info.runId);
  let progress: JobProgress | null = null;
  if (JOB_TYPES.has(info.type)) {
    try {
      progress = await queryProgress(run);
    } catch (err) {
      note(`progress unavailable: ${rootMessage(err)} (a worker polling task queue ${info.taskQueue} answers it)`);
    }
  }
  const sa = info.typedSearchAttributes;
  return {
    workflowId: info.workflowId, runId: info.runId, workflowType: info.type, status, taskQueue: info.taskQueue,
    job: sa.get(SEARCH_ATTRIBUTE_KEYS.job) ?? null, source: sa.get(SEARCH_ATTRIBUTE_KEYS.source) ?? null,
    dataset: sa.get(SEARCH_ATTRIBUTE_KEYS.dataset) ?? null,
    startTime: info.startTime.toISOString(), closeTime: info.closeTime?.toISOString() ?? null,
    progress, retrying: retriesOf(info), ...await outcome(run, status),
  };
}

/** Human-readable lines of a run's status. */
export function formatStatus(s: RunStatus): string[] {
  const lines = [`${s.workflowId} (run ${s.runId})`, `  type      ${s.workflowType} on task queue ${s.taskQueue}`, `  status    ${s.status}`];
  if (s.job) lines.push(`  job       ${s.job} (source ${s.source ?? '?'}, dataset ${s.dataset ?? '?'})`);
  lines.push(`  started   ${s.startTime}`);
  if (s.closeTime) lines.push(`  closed    ${s.closeTime}`);
  if (s.progress) lines.push(`  progress  ${formatProgress(s.progress)}`);
  for (const retry of formatRetries(s.retrying)) lines.push(`  retrying  ${retry}`);
  if (s.result) lines.push(`  result    ${formatResult(s.result)}`);
  if (s.failure) lines.push(`  failure   ${s.failure}`);
  // A failure or an export's summary may quote keys.
  return lines.map(printable);
}

/** Registers `status WORKFLOW_ID|JOB`. */
export function registerStatus(program: Command): void {
  addGlobalOptions(program.command('status <run>'))
    .description("one run's status, progress and result: the latest run of a workflow ID, or a job's running (else newest) run")
    .action(async (id: string, raw: unknown) => {
      const options = parseOptions<GlobalOptions>(raw);
      const { client, close } = await temporalClient(options);
      try {
        const workflowId = isWorkflowId(id) ? id : await resolveRun(client, id, { running: true }).catch(() => resolveRun(client, id, { running: false }));
        const status = await runStatus(client.workflow.getHandle(workflowId), (line) => process.stderr.write(`${line}\n`));
        process.stdout.write(`${options.json ? JSON.stringify(status) : formatStatus(status).join('\n')}\n`);
      } finally {
        await close();
      }
    });
}
