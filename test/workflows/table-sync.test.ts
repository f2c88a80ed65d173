/**
 * The tableSync workflow with stub activities on a real Temporal server: it plans once, writes
 * every page once in order (continuing as new between pages when Temporal suggests it, carrying
 * its plan's summary), commits once; a run with nothing new writes nothing; a failed or cancelled
 * run removes what it wrote (tableSyncAbort) and fails with its own error. A server of this
 * file's own suggests continue-as-new after a few dozen history events.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { activityInfo, Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { startTemporalDevServer, type TemporalDevServer } from '../../devservers/temporal-dev';
import type { TableSyncPlan } from '../../pipelines/table-plan';
import { tableSync } from '../../workflows';
import { CALM_PAGE, eventually, outcome, stubWorkers, uniqueWorkflowId, type StubWorkers } from '../harness/stub-worker';
import { testEnv } from '../harness/test-env';

let server: TemporalDevServer;
let temporal: StubWorkers;
beforeAll(async () => {
  server = await startTemporalDevServer({ logDir: mkdtempSync(join(testEnv().runDir, 'table-sync-stubs-')), headless: true,
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 25 } });
  temporal = await stubWorkers(server.address);
}, 60_000);
afterAll(async () => {
  await temporal?.close();
  await server?.stop();
});

const runId = () => activityInfo().workflowExecution?.runId ?? '(no workflow)';
const input = { job: 'orders-appends', source: 'src', dataset: 'orders_rows', maxErrorRetries: 1 };
const plan = (pages: number, extra: Partial<TableSyncPlan> = {}): TableSyncPlan => ({
  table: 'orders', format: 'delta', transaction: 'APPEND', nothingNew: false, baseVersion: 4, fromVersion: 5, toVersion: 9, tableId: 'id-1',
  commits: 5, pages, files: pages * 3, bytes: pages * 3000, ...extra,
});
const page = (n: number) => ({ page: n, files: 2, bytes: 500, rows: 70, sourceFiles: 3, sourceBytes: 3000, ...CALM_PAGE });

describe('the tableSync workflow', () => {
  it('plans once, writes every page once in order across continue-as-new, and commits once with the totals', async () => {
    const plans: string[] = [];
    const writes: Array<{ page: number; runKey: string; run: string }> = [];
    const commits: Array<{ job: string; runKey: string }> = [];
    const { worker, taskQueue } = await temporal.worker({
      tableSyncPlan: async () => { plans.push(runId()); return plan(12); },
      tableSyncWritePage: async ({ page: n, runKey }) => { writes.push({ page: n, runKey, run: runId() }); return page(n); },
      tableSyncCommit: async (run) => { commits.push(run); return { transaction: 3, type: 'APPEND', files: 24, bytes: 6000, rows: 840 }; },
    });
    const { handle, ended, progress, details } = await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(tableSync, { taskQueue, workflowId: uniqueWorkflowId('tableSync/long'), args: [input] });
      const ended = await outcome(handle);
      const last = temporal.client.workflow.getHandle(handle.workflowId);
      const progress = await last.query<Record<string, unknown>>('progress');
      const details = (await last.query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails;
      return { handle, ended, progress, details };
    });
    const runKey = handle.firstExecutionRunId;
    expect(plans).toEqual([runKey]);
    expect(writes.map((w) => [w.page, w.runKey])).toEqual(Array.from({ length: 12 }, (_, i) => [i + 1, runKey]));
    expect(new Set(writes.map((w) => w.run)).size).toBeGreaterThan(1);
    expect(commits).toEqual([{ job: 'orders-appends', runKey }]);
    expect(ended.result).toEqual({
      workflowId: handle.workflowId, runKey, status: 'completed', transaction: 3, transactionType: 'APPEND', filesAdded: 24, filesSkipped: 0,
      bytes: 6000, filesVerifiedBySizeOnly: 0, table: 'orders', fromVersion: 5, toVersion: 9, rows: 840,
      summary: 'transaction 3 (APPEND): versions 5-9 of table orders, 840 row(s) in 24 Parquet file(s), 6000 bytes',
    });
    expect(progress).toMatchObject({ kind: 'sync', phase: 'done', pages: 12, listed: 5, objectsPlanned: 36, bytesPlanned: 36000, filesCopied: 36, bytesCopied: 36000 });
    // The Web UI's details of the run: the table, the versions, and the data files read.
    expect(details).toBe('**orders-appends** — done: delta table orders, versions 5-9 -> APPEND\n\n| | |\n|---|---|\n'
      + '| table commits read | 5 |\n| pages written | 12 |\n| data files read | 36 / 36 |\n| MB read | 0.0 / 0.0 |\n| data files retried | 0 |');
  });

  it('writes nothing and commits nothing when the table has nothing new', async () => {
    let wrote = false;
    const { worker, taskQueue } = await temporal.worker({
      tableSyncPlan: async () => plan(0, { nothingNew: true, fromVersion: undefined, toVersion: undefined, commits: 0, files: 0, bytes: 0 }),
      tableSyncWritePage: async ({ page: n }) => { wrote = true; return page(n); },
      tableSyncCommit: async () => ({ files: 0, bytes: 0, rows: 0 }),
    });
    const ended = await worker.runUntil(async () => outcome(await temporal.client.workflow.start(tableSync, { taskQueue, workflowId: uniqueWorkflowId('tableSync/none'), args: [input] })));
    expect(wrote).toBe(false);
    expect(ended.result?.transaction).toBeUndefined();
    expect(ended.result).toMatchObject({ filesAdded: 0, rows: 0, summary: 'nothing new: table orders has no version after 4, which is landed; no transaction committed' });
  });

  it('removes what a run wrote when a page fails for good, and fails with the page\'s error', async () => {
    const aborted: Array<{ job: string; runKey: string }> = [];
    let committed = false;
    const { worker, taskQueue } = await temporal.worker({
      tableSyncPlan: async () => plan(3),
      tableSyncWritePage: async ({ page: n }) => {
        if (n === 2) throw ApplicationFailure.create({ message: 'column amount: a value does not fit decimal(18,4)', type: 'ParquetWriteError', nonRetryable: true });
        return page(n);
      },
      tableSyncCommit: async () => { committed = true; return { files: 0, bytes: 0, rows: 0 }; },
      tableSyncAbort: async (run) => { aborted.push(run); return { committed: false }; },
    });
    const { handle, ended } = await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(tableSync, { taskQueue, workflowId: uniqueWorkflowId('tableSync/fails'), args: [input] });
      return { handle, ended: await outcome(handle) };
    });
    expect(committed).toBe(false);
    expect(aborted).toEqual([{ job: 'orders-appends', runKey: handle.firstExecutionRunId }]);
    expect((ended.error?.cause?.cause as Error | undefined)?.message).toBe('column amount: a value does not fit decimal(18,4)');
  });

  it('removes what a cancelled run wrote once its page activity has stopped', async () => {
    const events: string[] = [];
    const { worker, taskQueue } = await temporal.worker({
      tableSyncPlan: async () => plan(2),
      tableSyncWritePage: async () => {
        events.push('write started');
        const ctx = Context.current();
        for (;;) {
          ctx.heartbeat();
          if (ctx.cancellationSignal.aborted) {
            events.push('write stopped');
            throw ctx.cancellationSignal.reason;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      tableSyncAbort: async () => { events.push('abort'); return { committed: false }; },
    });
    const ended = await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(tableSync, { taskQueue, workflowId: uniqueWorkflowId('tableSync/cancel'), args: [input] });
      await eventually('the write to start', () => events.includes('write started'));
      await handle.cancel();
      return outcome(handle);
    });
    expect(events).toEqual(['write started', 'write stopped', 'abort']);
    expect(ended.error).toBeDefined();
  });
});
