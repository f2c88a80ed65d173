/**
 * `runs [--job JOB] [--probes] [--limit N]`: recent job runs, newest first, from Temporal
 * visibility. Probes (check, explore, preview, dry runs, table reads...) are short workflows of
 * their own types: left out of the job runs, listed with --probes.
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import type { Command } from 'commander';
import { JOB_WORKFLOW_TYPES, SEARCH_ATTRIBUTE_KEYS, WORKFLOW_TYPES } from '../../shared/temporal-contract';
import { temporalClient, type GlobalOptions } from '../context';
import { addGlobalOptions, parseOptions, wholeNumber } from '../options';
import { parseJobName } from '../start-job';

/** One run as `runs --json` prints it. */
export interface RunLine {
  workflowType: string;
  workflowId: string;
  runId: string;
  status: string;
  job: string | null;
  startTime: string;
  closeTime: string | null;
}

/** The workflow types of probes: every type that is not a job's. */
export const PROBE_WORKFLOW_TYPES = Object.values(WORKFLOW_TYPES).filter((t) => !(JOB_WORKFLOW_TYPES as readonly string[]).includes(t));

/** The visibility query of `runs`: one job's runs, every job run, or (`probes`) every probe. */
export function runsQuery(job?: string, probes = false): string {
  if (job) return `${SEARCH_ATTRIBUTE_KEYS.job.name} = "${job}"`;
  return `WorkflowType IN (${(probes ? PROBE_WORKFLOW_TYPES : JOB_WORKFLOW_TYPES).map((t) => `"${t}"`).join(', ')})`;
}

/** A run as printed by `runs`. */
export function runLine(info: WorkflowExecutionInfo): RunLine {
  return {
    workflowType: info.type, workflowId: info.workflowId, runId: info.runId, status: info.status.name,
    job: info.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.job) ?? null,
    startTime: info.startTime.toISOString(), closeTime: info.closeTime?.toISOString() ?? null,
  };
}


/** Registers `runs [--job JOB] [--limit N]`. */
export function registerRuns(program: Command): void {
  addGlobalOptions(program.command('runs'))
    .description('list recent runs of sync, export and table sync jobs, newest first (probes with --probes)')
    .option('--job <job>', "only this job's runs (including those its schedule started)", parseJobName)
    .option('--probes', 'list the probes instead (check, explore, preview, dry runs, table reads and registrations)')
    .option('--limit <n>', 'how many runs (1-1000)', wholeNumber(1, 1000), 20)
    .action(async (raw: unknown) => {
      const options = parseOptions<GlobalOptions & { job?: string; probes?: boolean; limit: number }>(raw);
      const { client, close } = await temporalClient(options);
      const lines: RunLine[] = [];
      try {
        for await (const info of client.workflow.list({ query: runsQuery(options.job, options.probes), pageSize: Math.min(options.limit, 100) })) {
          lines.push(runLine(info));
          if (lines.length >= options.limit) break;
        }
      } finally {
        await close();
      }
      if (options.json) {
        if (lines.length > 0) process.stdout.write(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
        return;
      }
      const rows = lines.map((l) => [l.status, l.workflowType, l.workflowId, l.runId, l.startTime, l.closeTime ?? '-']);
      const table = [['STATUS', 'TYPE', 'WORKFLOW ID', 'RUN ID', 'STARTED', 'CLOSED'], ...rows];
      const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
      process.stdout.write(`${table.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')}\n`);
      process.stderr.write(`${lines.length} run(s)${options.job ? ` of job ${options.job}` : ''}\n`);
    });
}
