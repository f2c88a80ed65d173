/**
 * `sync JOB [--wait]`: starts a sync job's workflow (or attaches to its running copy); with
 * --wait, follows it with a live progress bar and ends with a summary.
 */
import type { Command } from 'commander';
import type { SyncResult } from '../../workflows/sync-types';
import { loadConfigFor, temporalClient, type GlobalOptions } from '../context';
import { drawProgressBar, formatBytes, formatResult, type ProgressBar } from '../job-progress';
import { addGlobalOptions, parseOptions } from '../options';
import { jobWorkflow, startJob } from '../start-job';

/** The last stdout line of `sync --wait --json` (PRODUCT.md). */
export interface SyncSummary {
  workflowId: string;
  runId: string;
  status: 'completed';
  transaction: number | null;
  filesAdded: number;
  filesSkipped: number;
  bytes: number;
}

/** Registers `sync JOB [--wait]`. */
export function registerSync(program: Command): void {
  addGlobalOptions(program.command('sync <job>'))
    .description("start a sync job's workflow; a job that is already running is attached to, not started twice")
    .option('--wait', 'wait for the run to finish, with a live progress bar on stderr, then print a summary')
    .action(async (job: string, raw: unknown) => {
      const options = parseOptions<GlobalOptions & { wait?: boolean }>(raw);
      const { config } = loadConfigFor(options);
      jobWorkflow(config, job); // bad usage fails before Temporal is contacted
      const { client, close } = await temporalClient(options);
      try {
        const started = await startJob(client, config, job, options.taskQueue);
        const { workflowId, runId } = started;
        if (!options.wait) {
          if (options.json) process.stdout.write(`${JSON.stringify({ workflowId, runId, status: 'running', attached: started.attached })}\n`);
          else process.stdout.write(`${started.attached ? 'attached to' : 'started'} ${workflowId} (run ${runId})\nfollow it with: s3-connector status ${workflowId}\n`);
          return;
        }
        const startedAt = Date.now();
        const bar: ProgressBar | undefined = process.stderr.isTTY && !options.json ? drawProgressBar(started.handle) : undefined;
        let result: SyncResult;
        try {
          result = await started.handle.result() as SyncResult;
        } catch (err) {
          await bar?.stop();
          process.stderr.write(`sync ${job} failed: ${workflowId} (run ${runId})\n`);
          throw err; // reported with its root cause, exit code 1
        }
        await bar?.stop();
        const summary: SyncSummary = {
          workflowId, runId, status: 'completed', transaction: result.transaction ?? null,
          filesAdded: result.filesAdded, filesSkipped: result.filesSkipped, bytes: result.bytes,
        };
        if (options.json) {
          process.stdout.write(`${JSON.stringify(summary)}\n`);
        } else {
          const seconds = (Date.now() - startedAt) / 1000;
          const rate = seconds > 0 ? ` in ${seconds.toFixed(1)} s (${formatBytes(result.bytes / seconds)}/s)` : '';
          process.stdout.write(`${workflowId} (run ${runId}) completed: ${formatResult(result)}${rate}\n`);
        }
      } finally {
        await close();
      }
    });
}
