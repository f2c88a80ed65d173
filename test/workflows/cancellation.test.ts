/**
 * What the job workflows do when cancelled or failed mid-run, with stub activities: which
 * cleanup runs, in which order, and what is never called.
 */
import type { WorkflowFailedError, WorkflowHandle } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { ConnectorActivities } from '../../activities';
import { bulkImport, fileExport, incrementalSync } from '../../workflows';
import { CALM_PAGE, eventually, outcome, stubWorkers, uniqueWorkflowId, type StubWorkers } from '../harness/stub-worker';

type Act = ConnectorActivities;
type ExportPlan = Awaited<ReturnType<Act['exportPlan']>>;
type PlanSummary = Awaited<ReturnType<Act['syncPlanPage']>>;

const exportPlan = (pages: number): ExportPlan => ({
  mode: 'full', pages, files: pages * 10, bytes: pages * 1000, target: 's3://bucket/out/', fromTransaction: 0, throughTransaction: 3,
});

/** Heartbeats until the activity is cancelled, then records it and rethrows the cancellation. */
async function runUntilCancelled(calls: string[], name: string): Promise<never> {
  const ctx = Context.current();
  try {
    for (;;) {
      ctx.heartbeat();
      await ctx.sleep(100);
    }
  } catch (err) {
    calls.push(`${name} ${err instanceof CancelledFailure ? 'cancelled' : `failed: ${String(err)}`}`);
    throw err;
  }
}

/** The error a run ended with; fails the test if it completed. */
async function failureOf(handle: WorkflowHandle): Promise<WorkflowFailedError> {
  const ended = await outcome(handle);
  if (!ended.error) throw new Error(`expected the run to fail or be cancelled; it completed with ${JSON.stringify(ended.result)}`);
  return ended.error;
}

let temporal: StubWorkers;
beforeAll(async () => { temporal = await stubWorkers(); });
afterAll(async () => { await temporal?.close(); });

describe('a cancelled or failed export', () => {
  it('waits for the cancelled upload to stop, then aborts the run\'s multipart uploads and ends cancelled without committing', async () => {
    const calls: string[] = [];
    let abortInput: Parameters<Act['exportAbort']>[0] | undefined;
    const { worker, taskQueue } = await temporal.worker({
      exportPlan: async () => { calls.push('plan'); return exportPlan(3); },
      exportUploadPage: async ({ page }) => {
        calls.push(`upload ${page}`);
        if (page === 1) return { page, files: 10, bytes: 1000, ...CALM_PAGE };
        return runUntilCancelled(calls, `upload ${page}`);
      },
      exportCommit: async () => { calls.push('commit'); return undefined; },
      exportAbort: async (input) => { calls.push('abort'); abortInput = input; return { aborted: 0 }; },
    });
    await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(fileExport, {
        taskQueue, workflowId: uniqueWorkflowId('fileExport/cancel'), args: [{ job: 'out', source: 'src', dataset: 'ds', maxErrorRetries: 2 }],
      });
      await eventually('the second page\'s upload to start', () => calls.includes('upload 2'));
      await handle.cancel();
      const err = await failureOf(handle);
      expect(err.cause).toBeInstanceOf(CancelledFailure);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      // The abort comes after the upload stopped (the upload's cancellation type waits for it), and once.
      expect(calls).toEqual(['plan', 'upload 1', 'upload 2', 'upload 2 cancelled', 'abort']);
      expect(abortInput).toEqual({ job: 'out', runKey: handle.firstExecutionRunId });
    });
  });

  it('aborts the run\'s multipart uploads when a page fails for good, and fails with the page\'s error', async () => {
    const calls: string[] = [];
    const { worker, taskQueue } = await temporal.worker({
      exportPlan: async () => { calls.push('plan'); return exportPlan(3); },
      exportUploadPage: async ({ page }) => {
        calls.push(`upload ${page}`);
        if (page === 2) throw ApplicationFailure.create({ message: 'Access Denied on PutObject', type: 'AccessDenied', nonRetryable: true });
        return { page, files: 10, bytes: 1000, ...CALM_PAGE };
      },
      exportCommit: async () => { calls.push('commit'); return undefined; },
      exportAbort: async () => { calls.push('abort'); return { aborted: 0 }; },
    });
    await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(fileExport, {
        taskQueue, workflowId: uniqueWorkflowId('fileExport/fail'), args: [{ job: 'out', source: 'src', dataset: 'ds', maxErrorRetries: 2 }],
      });
      const err = await failureOf(handle);
      expect(err.cause).toBeInstanceOf(ActivityFailure);
      expect(err.cause?.cause).toMatchObject({ message: 'Access Denied on PutObject', type: 'AccessDenied', nonRetryable: true });
      expect((await handle.describe()).status.name).toBe('FAILED');
      expect(calls).toEqual(['plan', 'upload 1', 'upload 2', 'abort']);
    });
  });
});

describe('a cancelled or failed sync', () => {
  const plan = (page: number, pages: number): PlanSummary => ({
    page, listed: 100, toCopy: 100, bytes: 10_000, skipped: 0, nextToken: page < pages ? `after-${page}` : undefined,
  });

  it('waits for the cancelled copy to stop, then removes the run\'s staging and ends cancelled without committing', async () => {
    const calls: string[] = [];
    let abortInput: Parameters<Act['syncAbortRun']>[0] | undefined;
    const { worker, taskQueue } = await temporal.worker({
      syncStartRun: async () => { calls.push('start'); return { baseTransaction: undefined }; },
      syncPlanPage: async ({ page }) => { calls.push(`plan ${page}`); return plan(page, 2); },
      syncCopyPage: async ({ page }) => {
        calls.push(`copy ${page}`);
        if (page === 1) return { page, files: 100, bytes: 10_000, skipped: 0, ...CALM_PAGE };
        return runUntilCancelled(calls, `copy ${page}`);
      },
      syncCommitRun: async () => { calls.push('commit'); return {}; },
      syncAbortRun: async (input) => { calls.push('abort'); abortInput = input; return { committed: false }; },
    });
    await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(bulkImport, {
        taskQueue, workflowId: uniqueWorkflowId('bulkImport/cancel'), args: [{ job: 'lake', source: 'src', dataset: 'ds', maxErrorRetries: 2 }],
      });
      await eventually('the last page\'s copy to start', () => calls.includes('copy 2'));
      await handle.cancel();
      const err = await failureOf(handle);
      expect(err.cause).toBeInstanceOf(CancelledFailure);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      // Page 2 is planned while page 1 copies: only the order of the rest is fixed.
      expect(calls.filter((c) => c !== 'plan 2')).toEqual(['start', 'plan 1', 'copy 1', 'copy 2', 'copy 2 cancelled', 'abort']);
      expect(calls.indexOf('plan 2')).toBeLessThan(calls.indexOf('copy 2'));
      expect(abortInput).toEqual({ job: 'lake', runKey: handle.firstExecutionRunId });
    });
  });

  // The next page's plan, made while the current page copies, is cancelled along with the copy
  // but not awaited: its rejection must not go unobserved, or every workflow task of the run
  // fails on it and the run never ends.
  it('ends cancelled and cleans up when cancelled while it plans the next page and copies the current one', async () => {
    const calls: string[] = [];
    const { worker, taskQueue } = await temporal.worker({
      syncStartRun: async () => { calls.push('start'); return { baseTransaction: 4 }; },
      syncPlanPage: async ({ page }) => {
        calls.push(`plan ${page}`);
        return page === 1 ? plan(page, 3) : runUntilCancelled(calls, `plan ${page}`);
      },
      syncCopyPage: async ({ page }) => { calls.push(`copy ${page}`); return runUntilCancelled(calls, `copy ${page}`); },
      syncCommitRun: async () => { calls.push('commit'); return {}; },
      syncAbortRun: async () => { calls.push('abort'); return { committed: false }; },
    });
    await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(incrementalSync, {
        taskQueue, workflowId: uniqueWorkflowId('incrementalSync/cancel'), args: [{ job: 'lake', source: 'src', dataset: 'ds', maxErrorRetries: 2 }],
      });
      await eventually('page 2\'s plan and page 1\'s copy to run at once', () => calls.includes('plan 2') && calls.includes('copy 1'));
      await handle.cancel();
      const err = await failureOf(handle);
      expect(err.cause).toBeInstanceOf(CancelledFailure);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      expect(calls.filter((c) => c.startsWith('copy') || c === 'abort' || c === 'commit')).toEqual(['copy 1', 'copy 1 cancelled', 'abort']);
      // The plan is not waited for, but hears of the cancellation too.
      await eventually('the plan of page 2 to be cancelled', () => calls.includes('plan 2 cancelled'));
    });
  });

  it('removes the run\'s staging when a page fails for good, and fails with the page\'s error', async () => {
    const calls: string[] = [];
    const { worker, taskQueue } = await temporal.worker({
      syncStartRun: async () => { calls.push('start'); return { baseTransaction: undefined }; },
      syncPlanPage: async ({ page }) => { calls.push(`plan ${page}`); return plan(page, 1); },
      syncCopyPage: async () => {
        calls.push('copy 1');
        throw ApplicationFailure.create({ message: 'Access Denied on GetObject', type: 'AccessDenied', nonRetryable: true });
      },
      syncCommitRun: async () => { calls.push('commit'); return {}; },
      syncAbortRun: async () => { calls.push('abort'); return { committed: false }; },
    });
    await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(bulkImport, {
        taskQueue, workflowId: uniqueWorkflowId('bulkImport/fail'), args: [{ job: 'lake', source: 'src', dataset: 'ds', maxErrorRetries: 2 }],
      });
      const err = await failureOf(handle);
      expect(err.cause?.cause).toMatchObject({ message: 'Access Denied on GetObject', type: 'AccessDenied' });
      expect(calls).toEqual(['start', 'plan 1', 'copy 1', 'abort']);
    });
  });
});
