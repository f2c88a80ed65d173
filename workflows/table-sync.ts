/**
 * The tableSync workflow: a table's appended rows (or a snapshot of its rows) into a dataset.
 *   tableSyncPlan -> tableSyncWritePage(1..n) -> tableSyncCommit
 * and tableSyncAbort when the run fails or is cancelled. The plan (files to read) lives in the
 * run's staging; history carries the job's name, page numbers, versions and counts only. The run
 * continues as new between pages when Temporal suggests it, carrying its plan's summary.
 */
import { ActivityFailure, CancellationScope, continueAsNew, isCancellation, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import { progressQuery, type SyncProgress } from '../shared/temporal-contract';
import type { TableSyncPlan } from '../pipelines/table-plan';
import { addEffort, jobActivities } from './job-activities';
import { initialSyncProgress } from './sync-types';
import type { TableSyncInput, TableSyncResult, TableSyncState } from './table-sync-types';

/** Lands what table sync `input.job`'s table appended since its last run (Delta, Iceberg), or its current rows (Parquet, Avro). */
export async function tableSync(input: TableSyncInput): Promise<TableSyncResult> {
  const { quick, long } = jobActivities(input.maxErrorRetries);
  const state: TableSyncState = input.resume ?? { runKey: workflowInfo().runId, page: 1, progress: initialSyncProgress() };
  const progress = state.progress;
  setHandler(progressQuery, () => progress);
  const show = () => setCurrentDetails(renderTableSyncDetails(input.job, state.plan, progress));
  const run = { job: input.job, runKey: state.runKey };
  try {
    const plan: TableSyncPlan = state.plan ?? await quick.tableSyncPlan(run);
    if (!state.plan) {
      state.plan = plan;
      progress.listed = plan.commits;
      progress.objectsPlanned = plan.files;
      progress.bytesPlanned = plan.bytes;
    }
    progress.phase = 'copying';
    show();
    while (state.page <= plan.pages) {
      const written = await long.tableSyncWritePage({ ...run, page: state.page });
      progress.pages = state.page;
      progress.filesCopied += written.sourceFiles;
      progress.bytesCopied += written.sourceBytes;
      addEffort(progress, written);
      show();
      state.page += 1;
      if (state.page <= plan.pages && workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof tableSync>({ ...input, resume: state });
      }
    }
    progress.phase = 'committing';
    show();
    const committed = await quick.tableSyncCommit(run);
    progress.phase = 'done';
    show();
    const landed = committed.transaction !== undefined;
    const versions = plan.toSnapshotId !== undefined ? (plan.baseSnapshotId === undefined ? `snapshot ${plan.toSnapshotId} of ` : `the appends after snapshot ${plan.baseSnapshotId} up to ${plan.toSnapshotId} of `)
      : plan.fromVersion === undefined ? '' : plan.fromVersion === plan.toVersion ? `version ${plan.fromVersion} of ` : `versions ${plan.fromVersion}-${plan.toVersion} of `;
    const summary = landed
      ? `transaction ${committed.transaction} (${committed.type}): ${versions}table ${plan.table}, ${committed.rows} row(s) in ${committed.files} Parquet file(s), ${committed.bytes} bytes`
      : plan.baseSnapshotId !== undefined ? `nothing new: table ${plan.table} has no rows appended after snapshot ${plan.baseSnapshotId}, which is landed; no transaction committed`
        : `nothing new: table ${plan.table} has no version after ${plan.baseVersion}, which is landed; no transaction committed`;
    return {
      workflowId: workflowInfo().workflowId, runKey: state.runKey, status: 'completed', transaction: committed.transaction, transactionType: committed.type,
      filesAdded: committed.files, filesSkipped: 0, bytes: committed.bytes, filesVerifiedBySizeOnly: 0,
      table: plan.table, ...(landed && plan.fromVersion !== undefined ? { fromVersion: plan.fromVersion, toVersion: plan.toVersion } : {}),
      ...(landed && plan.toSnapshotId !== undefined ? { toSnapshotId: plan.toSnapshotId } : {}),
      rows: committed.rows, summary,
    };
  } catch (err) {
    // An activity failed for good (a commit that is not an append, ...), or the run was cancelled:
    // remove what the run wrote, even when cancelled. The run fails with its own error.
    if (!(err instanceof ActivityFailure || isCancellation(err))) throw err;
    await CancellationScope.nonCancellable(() => quick.tableSyncAbort(run)).catch(() => undefined);
    throw err;
  }
}

const mb = (n: number) => (n / 1e6).toFixed(1);

/** The Markdown a table sync run shows as its current details in the Web UI: the table, the versions, and the data files read. */
export function renderTableSyncDetails(job: string, plan: TableSyncPlan | undefined, p: SyncProgress): string {
  const versions = plan?.toSnapshotId !== undefined ? `, snapshot ${plan.toSnapshotId}`
    : plan?.fromVersion === undefined ? '' : plan.fromVersion === plan.toVersion ? `, version ${plan.fromVersion}` : `, versions ${plan.fromVersion}-${plan.toVersion}`;
  const what = plan ? `${plan.format} table ${plan.table}${versions} -> ${plan.transaction}${plan.nothingNew ? ' (nothing new)' : ''}` : 'planning';
  const rows: Array<[string, string | number]> = [
    ['table commits read', p.listed], ['pages written', p.pages], ['data files read', `${p.filesCopied} / ${p.objectsPlanned}`],
    ['MB read', `${mb(p.bytesCopied)} / ${mb(p.bytesPlanned)}`], ['data files retried', p.retries ?? 0],
  ];
  return `**${job}** — ${p.phase}: ${what}\n\n| | |\n|---|---|\n${rows.map(([name, value]) => `| ${name} | ${value} |`).join('\n')}`;
}
