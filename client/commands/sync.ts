/**
 * `sync JOB [--wait [--timeout D]] [--allow-no-worker]`: starts a sync job's workflow (or attaches to its running copy); with
 * --wait, follows it with a live progress bar and ends with a summary.
 */
import type { Command } from 'commander';
import type { SyncResult } from '../../workflows/sync-types';
import type { TableSyncResult } from '../../workflows/table-sync-types';
import { loadConfigFor, type GlobalOptions } from '../context';
import { runSyncDryRun, formatSyncDryRun } from '../dry-run';
import { followJob } from '../follow-job';
import { formatResult } from '../job-progress';
import { addGlobalOptions, addRunOptions, parseOptions, type RunOptions } from '../options';
import { anySyncJob } from '../../jobs/job';

/** The last stdout line of `sync --wait --json` (a contract with scripts that read it). */
export interface SyncSummary {
  workflowId: string;
  runId: string;
  status: 'completed';
  transaction: number | null;
  filesAdded: number;
  filesSkipped: number;
  filesVerifiedBySizeOnly: number;
  bytes: number;
  /** Table syncs (tableSyncs:): the table, the versions landed (Delta; absent when nothing was new) and the rows. */
  table?: string;
  fromVersion?: number;
  toVersion?: number;
  /** Iceberg table syncs: the last snapshot landed (64-bit id, decimal text; absent when nothing was new). */
  toSnapshotId?: string;
  rows?: number;
}

/** Registers `sync JOB [--wait [--timeout D]] [--allow-no-worker]`. */
export function registerSync(program: Command): void {
  addRunOptions(addGlobalOptions(program.command('sync <job>')))
    .description("start a sync job's or a table sync's workflow; a job that is already running is attached to, not started twice")
    .option('--dry-run', 'list and decide what a run would copy (counts, bytes, the first keys, what is skipped and why), writing nothing')
    .option('--direct', 'with --dry-run: list in this process, with its credentials, instead of on a worker')
    .action(async (job: string, raw: unknown) => {
      const options = parseOptions<GlobalOptions & RunOptions & { dryRun?: boolean; direct?: boolean }>(raw);
      if (options.dryRun) {
        const dry = await runSyncDryRun(loadConfigFor(options).config, job, options);
        process.stdout.write(`${options.json ? JSON.stringify({ type: 'dryRun', ...dry }) : formatSyncDryRun(dry).join('\n')}\n`);
        return;
      }
      await followJob<SyncResult | TableSyncResult, SyncSummary>({
        verb: 'sync', resolve: anySyncJob, describe: formatResult,
        summary: (result, ids) => ({
          ...ids, status: 'completed', transaction: result.transaction ?? null,
          filesAdded: result.filesAdded, filesSkipped: result.filesSkipped, bytes: result.bytes,
          filesVerifiedBySizeOnly: result.filesVerifiedBySizeOnly ?? 0,
          ...('table' in result ? { table: result.table, fromVersion: result.fromVersion, toVersion: result.toVersion, toSnapshotId: result.toSnapshotId, rows: result.rows } : {}),
        }),
      }, job, options);
    });
}
