/**
 * The one retry layer inside Temporal: each workflow retries its activities maxErrorRetries
 * times (maximumAttempts = maxErrorRetries + 1) with a 1 s, 2 s, ... backoff, unless the failure
 * is marked non-retryable. Checked for each workflow family (syncs, exports, probes), whose
 * activity options are set apart.
 */
import { activityInfo } from '@temporalio/activity';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import type { ConnectorActivities } from '../../activities';
import { bulkImport, checkSource, fileExport } from '../../workflows';
import { CALM_PAGE, outcome, stubWorkers, uniqueWorkflowId, type StubWorkers } from '../harness/stub-worker';

type Act = ConnectorActivities;
type ExportPlan = Awaited<ReturnType<Act['exportPlan']>>;
type CheckResult = Awaited<ReturnType<Act['checkSource']>>;

let temporal: StubWorkers;
beforeAll(async () => { temporal = await stubWorkers(); });
afterAll(async () => { await temporal?.close(); });

const transient = (attempt: number) => ApplicationFailure.create({ message: `SlowDown on attempt ${attempt}`, type: 'SlowDown', nonRetryable: false });
const permanent = () => ApplicationFailure.create({ message: 'NoSuchBucket: the bucket does not exist', type: 'NoSuchBucket', nonRetryable: true });

/**
 * One workflow family: a run of it whose activity `failing` fails as `fail` says (by attempt),
 * everything else succeeding; returns the attempts `failing` saw and how the run ended.
 */
interface Family {
  name: string;
  failing: keyof Act;
  /** Part of what the run returns when it completes. */
  completed: object;
  run(fail: (attempt: number) => Error | undefined, maxErrorRetries: number): Promise<{ attempts: number[]; times: number[]; ended: Awaited<ReturnType<typeof outcome>> }>;
}

const exportPlan: ExportPlan = { mode: 'full', pages: 1, files: 1, bytes: 10, target: 's3://b/out/', fromTransaction: 0, throughTransaction: 1 };
const checkResult: CheckResult = { source: 'src', bucket: 'b', prefix: 'in/', viaProxy: false, probes: [] };

const families: Family[] = [
  {
    name: 'a sync (bulkImport) page copy',
    failing: 'syncCopyPage',
    completed: { status: 'completed', transaction: 1, filesAdded: 1, bytes: 10 },
    async run(fail, maxErrorRetries) {
      const attempts: number[] = [];
      const times: number[] = [];
      const { worker, taskQueue } = await temporal.worker({
        syncStartRun: async () => ({ baseTransaction: undefined }),
        syncPlanPage: async ({ page }) => ({ page, listed: 1, toCopy: 1, bytes: 10, skipped: 0 }),
        syncCopyPage: async ({ page }) => {
          const attempt = activityInfo().attempt;
          attempts.push(attempt);
          times.push(Date.now());
          const err = fail(attempt);
          if (err) throw err;
          return { page, files: 1, bytes: 10, skipped: 0, ...CALM_PAGE };
        },
        syncCommitRun: async () => ({ transaction: 1, type: 'SNAPSHOT' }),
        syncAbortRun: async () => ({ committed: false }),
      });
      const ended = await worker.runUntil(async () => outcome(await temporal.client.workflow.start(bulkImport, {
        taskQueue, workflowId: uniqueWorkflowId('bulkImport/retry'), args: [{ job: 'lake', source: 'src', dataset: 'ds', maxErrorRetries }],
      })));
      return { attempts, times, ended };
    },
  },
  {
    name: 'an export (fileExport) page upload',
    failing: 'exportUploadPage',
    completed: { status: 'completed', filesExported: 1, bytes: 10 },
    async run(fail, maxErrorRetries) {
      const attempts: number[] = [];
      const times: number[] = [];
      const { worker, taskQueue } = await temporal.worker({
        exportPlan: async () => exportPlan,
        exportUploadPage: async ({ page }) => {
          const attempt = activityInfo().attempt;
          attempts.push(attempt);
          times.push(Date.now());
          const err = fail(attempt);
          if (err) throw err;
          return { page, files: 1, bytes: 10, ...CALM_PAGE };
        },
        exportCommit: async () => undefined,
        exportAbort: async () => ({ aborted: 0 }),
      });
      const ended = await worker.runUntil(async () => outcome(await temporal.client.workflow.start(fileExport, {
        taskQueue, workflowId: uniqueWorkflowId('fileExport/retry'), args: [{ job: 'out', source: 'src', dataset: 'ds', maxErrorRetries }],
      })));
      return { attempts, times, ended };
    },
  },
  {
    name: 'a probe (checkSource)',
    failing: 'checkSource',
    completed: checkResult,
    async run(fail, maxErrorRetries) {
      const attempts: number[] = [];
      const times: number[] = [];
      const { worker, taskQueue } = await temporal.worker({
        checkSource: async () => {
          const attempt = activityInfo().attempt;
          attempts.push(attempt);
          times.push(Date.now());
          const err = fail(attempt);
          if (err) throw err;
          return checkResult;
        },
      });
      const ended = await worker.runUntil(async () => outcome(await temporal.client.workflow.start(checkSource, {
        taskQueue, workflowId: uniqueWorkflowId('checkSource/retry'), args: [{ source: 'src', maxErrorRetries }],
      })));
      return { attempts, times, ended };
    },
  },
];

describe.each(families)('$name', (family) => {
  it('is retried after transient failures, 1 s then 2 s later, and the run completes', async () => {
    const { attempts, times, ended } = await family.run((attempt) => (attempt < 3 ? transient(attempt) : undefined), 2);
    expect(ended.error).toBeUndefined();
    expect(ended.result).toMatchObject(family.completed);
    expect(attempts).toEqual([1, 2, 3]);
    const [first, second, third] = times as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(900);
    expect(third - second).toBeGreaterThanOrEqual(1900);
  });

  it('fails the run after maxErrorRetries + 1 attempts when the failure persists, with the last attempt\'s error', async () => {
    const { attempts, ended } = await family.run((attempt) => transient(attempt), 1);
    expect(attempts).toEqual([1, 2]);
    const cause = ended.error?.cause;
    expect(cause).toBeInstanceOf(ActivityFailure);
    expect(cause).toMatchObject({ activityType: family.failing, retryState: RetryState.MAXIMUM_ATTEMPTS_REACHED });
    expect(cause?.cause).toMatchObject({ message: 'SlowDown on attempt 2', type: 'SlowDown' });
  });

  it('fails the run at once on a non-retryable failure, whatever maxErrorRetries allows', async () => {
    const { attempts, ended } = await family.run(() => permanent(), 5);
    expect(attempts).toEqual([1]);
    const cause = ended.error?.cause;
    expect(cause).toMatchObject({ activityType: family.failing, retryState: RetryState.NON_RETRYABLE_FAILURE });
    expect(cause?.cause).toMatchObject({ message: 'NoSuchBucket: the bucket does not exist', type: 'NoSuchBucket', nonRetryable: true });
  });

  it('makes a single attempt when maxErrorRetries is 0', async () => {
    const { attempts, ended } = await family.run((attempt) => transient(attempt), 0);
    expect(attempts).toEqual([1]);
    expect(ended.error?.cause).toMatchObject({ retryState: RetryState.MAXIMUM_ATTEMPTS_REACHED });
  });
});
