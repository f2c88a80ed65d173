/**
 * `export JOB [--wait]`: starts an export job's workflow (or attaches to its running copy); with
 * --wait, follows it with a live progress bar and ends with a summary.
 */
import type { Command } from 'commander';
import type { ExportResult } from '../../workflows/export-types';
import type { GlobalOptions } from '../context';
import { exportJob } from '../../jobs/job';
import { followJob } from '../follow-job';
import { addGlobalOptions, parseOptions } from '../options';

/** The last stdout line of `export --wait --json`. */
export type ExportSummary = Omit<ExportResult, 'runKey'> & { runId: string };

/** Registers `export JOB [--wait]`. */
export function registerExport(program: Command): void {
  addGlobalOptions(program.command('export <job>'))
    .description("start an export job's workflow (dataset -> S3); a job that is already running is attached to, not started twice")
    .option('--wait', 'wait for the run to finish, with a live progress bar on stderr, then print a summary')
    .action(async (job: string, raw: unknown) => {
      await followJob<ExportResult, ExportSummary>({
        verb: 'export', resolve: exportJob, describe: (result) => result.summary,
        summary: (result, ids) => ({
          ...ids, status: result.status, mode: result.mode, target: result.target, filesExported: result.filesExported,
          bytes: result.bytes, fromTransaction: result.fromTransaction, throughTransaction: result.throughTransaction, summary: result.summary,
        }),
      }, job, parseOptions<GlobalOptions & { wait?: boolean }>(raw));
    });
}
