/**
 * Runs the real workflow code against stub activities on a real Temporal server: what the
 * workflows do with their activities' results and failures (continue-as-new, cancellation,
 * retries), without S3 or a dataset store. Stubs are typed against ConnectorActivities, so a
 * renamed activity or a changed signature breaks the build rather than the tests.
 */
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, type Workflow, type WorkflowResultType } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { ConnectorActivities } from '../../activities';
import { testEnv } from './test-env';

/** Every activity the worker registers, by name: the compiler fails here when one is added or renamed. */
const ACTIVITY_NAMES: Record<keyof ConnectorActivities, true> = {
  syncStartRun: true, syncPlanPage: true, syncCopyPage: true, syncCommitRun: true, syncAbortRun: true, syncDryRun: true,
  exportPlan: true, exportUploadPage: true, exportCommit: true, exportAbort: true,
  checkSource: true, exploreSource: true, previewSource: true,
  tableRegister: true, tablePreview: true, tableHistory: true, tablesDiscover: true, tableRead: true,
  tableSyncPlan: true, tableSyncWritePage: true, tableSyncCommit: true, tableSyncAbort: true,
};

/**
 * `stubs`, and for every other activity one that fails the workflow at once, naming itself:
 * a workflow that calls an activity the test did not expect fails visibly, not by a timeout.
 */
export function stubActivities(stubs: Partial<ConnectorActivities>): ConnectorActivities {
  const all: Record<string, unknown> = {};
  for (const name of Object.keys(ACTIVITY_NAMES)) {
    all[name] = stubs[name as keyof ConnectorActivities] ?? (async () => {
      throw ApplicationFailure.create({ message: `activity ${name} was called but this test has no stub for it`, type: 'Unstubbed', nonRetryable: true });
    });
  }
  return all as ConnectorActivities;
}

/**
 * What a page activity (syncCopyPage, exportUploadPage) reports besides its counts, how hard it
 * had to try: here no retries, at a steady concurrency. Spread into a stub's result, whose type
 * then checks it.
 */
export const CALM_PAGE = { retries: 0, concurrency: { limit: 8, max: 8, decreases: 0 } };

/** A connection to one Temporal server, and workers of the real workflows on it. */
export interface StubWorkers {
  client: Client;
  /** A worker of every workflow with these activities, on a task queue of its own. */
  worker(activities: Partial<ConnectorActivities>): Promise<{ worker: Worker; taskQueue: string }>;
  close(): Promise<void>;
}

let bundle: Promise<WorkflowBundle> | undefined;
let queues = 0;

/**
 * Connects to `address` (the global setup's server by default). The workflows are bundled once
 * per test file from workflows/index.ts, the same sources `workflowsPath` would bundle for each
 * worker (~5 s a bundle on this machine).
 */
export async function stubWorkers(address = testEnv().temporalAddress): Promise<StubWorkers> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietBundler });
  const native = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const workers: Worker[] = [];
  return {
    client,
    async worker(activities) {
      const taskQueue = `stub-${process.pid}-${Date.now()}-${++queues}`;
      const worker = await Worker.create({
        connection: native, taskQueue, workflowBundle: await bundle!, activities: stubActivities(activities),
        // Heartbeats reach the server at once, so a cancellation reaches a running stub within a poll.
        maxHeartbeatThrottleInterval: '100 milliseconds', defaultHeartbeatThrottleInterval: '100 milliseconds',
      });
      workers.push(worker);
      return { worker, taskQueue };
    },
    async close() {
      // A test that failed or timed out may leave its worker running: stop it before the connection.
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await eventually('the test workers to stop', () => workers.every((w) => w.getState() === 'STOPPED' || w.getState() === 'FAILED' || w.getState() === 'INITIALIZED'), 30_000);
      await connection.close();
      await native.close();
    },
  };
}

const quietBundler = {
  trace: () => undefined, debug: () => undefined, info: () => undefined,
  warn: (message: string, meta?: unknown) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: unknown) => console.error(message, meta ?? ''),
  log: () => undefined,
};

/** A unique workflow ID for a test, so runs of this file never meet. */
export function uniqueWorkflowId(name: string): string {
  return `${name}/${process.pid}-${Date.now()}-${++queues}`;
}

/** Resolves when `predicate` holds, polling; fails after `timeoutMs` naming what it waited for. */
export async function eventually(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

/**
 * How a run ended: its result, or the WorkflowFailedError it failed (or was cancelled) with.
 * A run that has not ended after `timeoutMs` fails the test at once with the reason its workflow
 * tasks fail, if they do (a workflow stuck on a failing task would otherwise wait out the test
 * timeout), and is terminated.
 */
export async function outcome<W extends Workflow>(handle: WorkflowHandle<W>, timeoutMs = 30_000):
  Promise<{ result: WorkflowResultType<W>; error?: undefined } | { result?: undefined; error: WorkflowFailedError }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((done) => { timer = setTimeout(() => done('late'), timeoutMs); });
  try {
    const ended = await Promise.race([
      handle.result().then((result): { result: WorkflowResultType<W> } => ({ result }), (error: unknown) => ({ error })), late]);
    if (ended !== 'late') {
      if ('result' in ended) return { result: ended.result };
      if (ended.error instanceof WorkflowFailedError) return { error: ended.error };
      throw ended.error;
    }
  } finally {
    clearTimeout(timer);
  }
  const events = (await handle.fetchHistory()).events ?? [];
  const taskFailure = events.map((e) => e.workflowTaskFailedEventAttributes?.failure?.message).filter(Boolean).at(-1);
  await handle.terminate('the test gave up on it').catch(() => undefined);
  throw new Error(`workflow ${handle.workflowId} did not end within ${timeoutMs} ms${taskFailure ? `; its workflow task fails with: ${taskFailure}` : ''}`);
}
