/**
 * `export JOB [--wait [--timeout D]] [--allow-no-worker]`: starts an export job's workflow (or attaches to its running copy); with
 * --wait, follows it with a live progress bar and ends with a summary.
 */
import type { Command } from 'commander';
import type { ExportResult } from '../../workflows/export-types';
import { loadConfigFor, type GlobalOptions } from '../context';
import { exportJob } from '../../jobs/job';
import { formatExportDryRun, runExportDryRun } from '../dry-run';
import { followJob } from '../follow-job';
import { addGlobalOptions, addRunOptions, parseOptions, type RunOptions } from '../options';

/** The last stdout line of `export --wait --json`. */
export type ExportSummary = Omit<ExportResult, 'runKey'> & { runId: string };

/** Registers `export JOB [--wait [--timeout D]] [--allow-no-worker]`. */
export function registerExport(program: Command): void {
  addRunOptions(addGlobalOptions(program.command('export <job>')))
    .description("start an export job's workflow (dataset -> S3); a job that is already running is attached to, not started twice")
    .option('--dry-run', 'decide what a run would export (counts, bytes, the first files and their keys) from the dataset store, writing nothing')
    .action(async (job: string, raw: unknown) => {
      const options = parseOptions<GlobalOptions & RunOptions & { dryRun?: boolean }>(raw);
      if (options.dryRun) {
        const dry = await runExportDryRun(loadConfigFor(options).config, job);
        process.stdout.write(`${options.json ? JSON.stringify({ type: 'dryRun', ...dry }) : formatExportDryRun(dry).join('\n')}\n`);
        return;
      }
      await followJob<ExportResult, ExportSummary>({
        verb: 'export', resolve: exportJob, describe: (result) => result.summary,
        summary: (result, ids) => ({
          ...ids, status: result.status, mode: result.mode, target: result.target, filesExported: result.filesExported,
          bytes: result.bytes, fromTransaction: result.fromTransaction, throughTransaction: result.throughTransaction, summary: result.summary,
        }),
      }, job, options);
    });
}
