/**
 * Long runs continue as new when Temporal suggests it, carrying their state: a sync its cursor
 * (the next page's plan, listing token and index cursor) and progress, an export its next page
 * and progress. A server of this file's own suggests continue-as-new after a few dozen history
 * events, so a dozen stub pages make several runs in seconds (the integration test reaches it
 * with 4,000 real objects).
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { activityInfo } from '@temporalio/activity';
import type { ConnectorActivities } from '../../activities';
import { startTemporalDevServer, type TemporalDevServer } from '../../devservers/temporal-dev';
import { fileExport, incrementalSync } from '../../workflows';
import { CALM_PAGE, outcome, stubWorkers, uniqueWorkflowId, type StubWorkers } from '../harness/stub-worker';
import { testEnv } from '../harness/test-env';

type Act = ConnectorActivities;
type PlanInput = Parameters<Act['syncPlanPage']>[0];
type ExportPlan = Awaited<ReturnType<Act['exportPlan']>>;

let server: TemporalDevServer;
let temporal: StubWorkers;
beforeAll(async () => {
  server = await startTemporalDevServer({ logDir: mkdtempSync(join(testEnv().runDir, 'can-stubs-')), headless: true,
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 25 } });
  temporal = await stubWorkers(server.address);
}, 60_000);
afterAll(async () => {
  await temporal?.close();
  await server?.stop();
});

/** The run an activity belongs to. */
const runId = () => activityInfo().workflowExecution?.runId ?? '(no workflow)';
const sum = (n: number, f: (page: number) => number) => Array.from({ length: n }, (_, i) => f(i + 1)).reduce((a, b) => a + b, 0);

describe('a long sync', () => {
  it('continues as new carrying its cursor and progress: every page is planned and copied once, in order, and one commit counts them all', async () => {
    const pages = 12;
    const plans: Array<PlanInput & { run: string }> = [];
    const copies: Array<{ page: number; runKey: string; run: string }> = [];
    const starts: string[] = [];
    let commit: Parameters<Act['syncCommitRun']>[0] | undefined;
    const cursor = (page: number) => ({ part: page, line: page * 7 });
    const { worker, taskQueue } = await temporal.worker({
      syncStartRun: async () => { starts.push(runId()); return { baseTransaction: 7 }; },
      syncPlanPage: async (input) => {
        plans.push({ ...input, run: runId() });
        const page = input.page;
        return { page, listed: 10, toCopy: page, bytes: page * 100, skipped: 10 - page % 10, nextToken: page < pages ? `token-${page}` : undefined, indexCursor: cursor(page) };
      },
      syncCopyPage: async ({ page, runKey }) => {
        copies.push({ page, runKey, run: runId() });
        return { page, files: page, bytes: page * 100, skipped: 1, ...CALM_PAGE };
      },
      syncCommitRun: async (input) => { commit = input; return { transaction: 8, type: 'APPEND' }; },
    });
    const { handle, ended, progress } = await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(incrementalSync, {
        taskQueue, workflowId: uniqueWorkflowId('incrementalSync/long'), args: [{ job: 'lake', source: 'src', dataset: 'ds', maxErrorRetries: 1 }],
      });
      const ended = await outcome(handle);
      // The last run answers the progress query with the totals of all runs.
      const progress = await temporal.client.workflow.getHandle(handle.workflowId).query<Record<string, unknown>>('progress');
      return { handle, ended, progress };
    });
    const runKey = handle.firstExecutionRunId;
    const runs = new Set([...plans, ...copies].map((c) => c.run));
    expect(runs.size).toBeGreaterThan(2);
    // Started once: a continued run does not look for its base transaction again.
    expect(starts).toEqual([runKey]);
    // Each page planned once (the next page's plan travels with the run instead of being made
    // again), from the previous page's listing token and index cursor, with the first run's key,
    // start time and base transaction.
    expect(plans.map((p) => p.page)).toEqual(Array.from({ length: pages }, (_, i) => i + 1));
    for (const plan of plans) {
      const { job, startedAt, baseTransaction, token, indexCursor } = plan;
      expect({ page: plan.page, job, runKey: plan.runKey, startedAt, baseTransaction, token, indexCursor }).toEqual({
        page: plan.page, job: 'lake', runKey, startedAt: plans[0]!.startedAt, baseTransaction: 7,
        token: plan.page === 1 ? undefined : `token-${plan.page - 1}`,
        indexCursor: plan.page === 1 ? undefined : cursor(plan.page - 1),
      });
    }
    expect(copies.map((c) => [c.page, c.runKey])).toEqual(Array.from({ length: pages }, (_, i) => [i + 1, runKey]));
    // Some page was planned in one run and copied in the next: the plan crossed continue-as-new.
    expect(plans.some((p) => copies.find((c) => c.page === p.page)!.run !== p.run)).toBe(true);
    const files = sum(pages, (p) => p);
    const bytes = sum(pages, (p) => p * 100);
    expect(commit).toEqual({ job: 'lake', runKey, pages, files, bytes });
    expect(ended.result).toMatchObject({ status: 'completed', runKey, transaction: 8, filesAdded: files, filesSkipped: pages, bytes });
    expect(progress).toMatchObject({ pages, filesCopied: files, bytesCopied: bytes, skipped: pages, objectsPlanned: files, listed: pages * 10 });
  });
});

describe('a long export', () => {
  it('continues as new carrying its next page and progress: every page is uploaded once, in order, and one commit counts them all', async () => {
    const pages = 10;
    const plan: ExportPlan = { mode: 'incremental', pages, files: 55, bytes: 5500, target: 's3://bucket/out/', fromTransaction: 2, throughTransaction: 5 };
    const planned: string[] = [];
    const uploads: Array<{ page: number; runKey: string; run: string }> = [];
    let commit: Parameters<Act['exportCommit']>[0] | undefined;
    const { worker, taskQueue } = await temporal.worker({
      exportPlan: async () => { planned.push(runId()); return plan; },
      exportUploadPage: async ({ page, runKey }) => {
        uploads.push({ page, runKey, run: runId() });
        return { page, files: page, bytes: page * 100, ...CALM_PAGE };
      },
      exportCommit: async (input) => { commit = input; return undefined; },
    });
    const { handle, ended } = await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(fileExport, {
        taskQueue, workflowId: uniqueWorkflowId('fileExport/long'), args: [{ job: 'out', source: 'src', dataset: 'ds', maxErrorRetries: 1 }],
      });
      return { handle, ended: await outcome(handle) };
    });
    const runKey = handle.firstExecutionRunId;
    expect(new Set(uploads.map((u) => u.run)).size).toBeGreaterThan(1);
    // Planned once: the plan travels with the run.
    expect(planned).toEqual([runKey]);
    expect(uploads.map((u) => [u.page, u.runKey])).toEqual(Array.from({ length: pages }, (_, i) => [i + 1, runKey]));
    const files = sum(pages, (p) => p);
    const bytes = sum(pages, (p) => p * 100);
    expect(commit).toEqual({ job: 'out', runKey, plan, files, bytes });
    expect(ended.result).toMatchObject({ status: 'completed', runKey, mode: 'incremental', filesExported: files, bytes, fromTransaction: 2, throughTransaction: 5 });
  });
});
