/**
 * `export JOB [--wait]`: starts an export job's workflow (or attaches to its running copy); with
 * --wait, follows it with a live progress bar and ends with a summary.
 */
import type { Command } from 'commander';
import type { ExportResult } from '../../workflows/export-types';
import { loadConfigFor, temporalClient, type GlobalOptions } from '../context';
import { exportWorkflow } from '../export-job';
import { drawProgressBar, formatBytes, type ProgressBar } from '../job-progress';
import { addGlobalOptions, parseOptions } from '../options';
import { startJob } from '../start-job';

/** The last stdout line of `export --wait --json`. */
export type ExportSummary = Omit<ExportResult, 'runKey'> & { runId: string };

/** Registers `export JOB [--wait]`. */
export function registerExport(program: Command): void {
  addGlobalOptions(program.command('export <job>'))
    .description("start an export job's workflow (dataset -> S3); a job that is already running is attached to, not started twice")
    .option('--wait', 'wait for the run to finish, with a live progress bar on stderr, then print a summary')
    .action(async (job: string, raw: unknown) => {
      const options = parseOptions<GlobalOptions & { wait?: boolean }>(raw);
      const { config } = loadConfigFor(options);
      exportWorkflow(config, job); // bad usage fails before Temporal is contacted
      const { client, close } = await temporalClient(options);
      try {
        const started = await startJob(client, config, job, options.taskQueue, exportWorkflow);
        const { workflowId, runId } = started;
        if (!options.wait) {
          if (options.json) process.stdout.write(`${JSON.stringify({ workflowId, runId, status: 'running', attached: started.attached })}\n`);
          else process.stdout.write(`${started.attached ? 'attached to' : 'started'} ${workflowId} (run ${runId})\nfollow it with: s3-connector status ${workflowId}\n`);
          return;
        }
        const startedAt = Date.now();
        const bar: ProgressBar | undefined = process.stderr.isTTY && !options.json ? drawProgressBar(started.handle) : undefined;
        let result: ExportResult;
        try {
          result = await started.handle.result() as ExportResult;
        } catch (err) {
          await bar?.stop();
          process.stderr.write(`export ${job} failed: ${workflowId} (run ${runId})\n`);
          throw err; // reported with its root cause, exit code 1
        }
        await bar?.stop();
        const summary: ExportSummary = {
          workflowId, runId, status: result.status, mode: result.mode, target: result.target, filesExported: result.filesExported,
          bytes: result.bytes, fromTransaction: result.fromTransaction, throughTransaction: result.throughTransaction, summary: result.summary,
        };
        if (options.json) {
          process.stdout.write(`${JSON.stringify(summary)}\n`);
        } else {
          const seconds = (Date.now() - startedAt) / 1000;
          const rate = seconds > 0 && result.bytes > 0 ? ` in ${seconds.toFixed(1)} s (${formatBytes(result.bytes / seconds)}/s)` : '';
          process.stdout.write(`${workflowId} (run ${runId}) completed: ${result.summary}${rate}\n`);
        }
      } finally {
        await close();
      }
    });
}
