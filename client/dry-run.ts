/**
 * `sync JOB --dry-run` and `export JOB --dry-run`: what a run would move, without writing. A
 * sync's dry run lists the source, so it runs on a worker (or in this process with --direct);
 * an export's reads only the dataset store, which the CLI reads anyway (as `datasets` does).
 */
import { randomUUID } from 'node:crypto';
import { createActivities, type SyncDryRun } from '../activities';
import type { ConnectorConfig } from '../config/schema';
import { openStore } from '../datasets/open-store';
import { dryRunExport, type ExportDryRun } from '../exports/dry-run';
import { anySyncJob } from '../jobs/job';
import { createSourceRegistry } from '../s3/source-registry';
import { SEARCH_ATTRIBUTE_KEYS, workflowId } from '../shared/temporal-contract';
import { syncDryRun } from '../workflows';
import { UsageError, type GlobalOptions } from './context';
import { formatBytes } from './job-progress';
import { printable } from './printable';
import { workerClient } from './worker-presence';

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** Decides what a run of sync job `name` would copy, on a worker or (`direct`) here. */
export async function runSyncDryRun(config: ConnectorConfig, name: string, options: GlobalOptions & { direct?: boolean }): Promise<SyncDryRun> {
  const job = anySyncJob(config, name);
  if (job.kind === 'tableSync') {
    throw new UsageError(`sync ${name} --dry-run: table syncs (tableSyncs:) have no dry run yet. Fix: see the table's new versions with \`s3-connector tables history ${job.table}\`.`);
  }
  if (options.direct) {
    const sources = createSourceRegistry(config);
    return createActivities({ sources, config, store: () => openStore(config, sources) }).syncDryRun(name, Date.now());
  }
  const { client, close } = await workerClient(options, 'list in this process with its credentials: --direct');
  try {
    // ConnectorSource only: with ConnectorJob a dry run would pass for a running run of the job.
    return await client.workflow.execute(syncDryRun, {
      taskQueue: options.taskQueue, workflowId: workflowId('syncDryRun', name, randomUUID()), workflowExecutionTimeout: '1 hour',
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTE_KEYS.source, value: job.source }],
      args: [{ source: job.source, maxErrorRetries: job.maxErrorRetries, job: name, now: Date.now() }],
    });
  } finally {
    await close();
  }
}

/** The human report of a sync's dry run. */
export function formatSyncDryRun(d: SyncDryRun): string[] {
  const reasons = Object.entries(d.skippedBy).map(([reason, n]) => `${n} ${reason}`).join(', ');
  return [
    `dry run of sync ${d.job} (${d.mode}, ${d.transaction} transaction into dataset ${d.dataset}): nothing was written`,
    `  listed      ${plural(d.listed, 'object')}${d.truncated ? ' (stopped there: the counts below are at least these)' : ''}`,
    `  would copy  ${plural(d.toCopy, 'object')}, ${formatBytes(d.bytes)}${d.mode === 'bulk' ? '' : ` (${d.toCopy - d.changed} new, ${d.changed} changed)`}`,
    ...(d.mode === 'bulk' ? [] : [`  unchanged   ${plural(d.unchanged, 'object')} landed before`]),
    `  skipped     ${plural(d.skipped, 'object')}${reasons ? `: ${reasons}` : ''}`,
    ...(d.firstToCopy.length > 0 ? ['  first to copy:', ...d.firstToCopy.map((o) => `    ${d.mode === 'bulk' ? '' : `${o.change.padEnd(8)} `}${o.key}  ${formatBytes(o.size)}`)] : []),
    ...(d.firstSkipped.length > 0 ? ['  first skipped:', ...d.firstSkipped.map((o) => `    ${o.key}  (${o.reason})`)] : []),
    ...(d.mode === 'media' ? ['  note: media types are read from each object\'s bytes as it is copied, so a run may still reject some of these'] : []),
  ].map(printable);
}

/** Decides what a run of export job `name` would export, reading the dataset store. */
export async function runExportDryRun(config: ConnectorConfig, name: string): Promise<ExportDryRun> {
  return dryRunExport({ config, store: openStore(config, createSourceRegistry(config)) }, name);
}

/** The human report of an export's dry run. */
export function formatExportDryRun(d: ExportDryRun): string[] {
  const range = d.fromTransaction === d.throughTransaction ? 'no new transaction' : `transactions ${d.fromTransaction + 1}-${d.throughTransaction}`;
  return [
    `dry run of export ${d.job} (${d.mode}, dataset ${d.dataset} -> ${d.target}): nothing was written`,
    `  would export ${plural(d.files, 'file')}, ${formatBytes(d.bytes)} (${d.mode === 'incremental' ? range : `the view through transaction ${d.throughTransaction}`})`,
    ...(d.rewrittenPaths > 0 ? [`  ${plural(d.rewrittenPaths, 'path')} with an empty segment get a key without it; the run refuses, before writing, two files sharing a key`] : []),
    ...(d.firstFiles.length > 0 ? ['  first files:', ...d.firstFiles.map((f) => `    ${f.path} -> ${f.key}  ${formatBytes(f.size)}`)] : []),
  ].map(printable);
}
