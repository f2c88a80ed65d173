/**
 * Whether any worker polls the task queue, asked of Temporal (DescribeTaskQueue) before a
 * command hands it work: without one, a started run would wait in silence. Temporal lists a
 * queue's pollers seen in the last few minutes, both kinds (workflow and activity tasks); a
 * worker of this project polls both.
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { sleep } from '../s3/retry';
import { temporalClient, type GlobalOptions } from './context';
import { JobFailedError } from './errors';

// temporal.api.enums.v1.TaskQueueType (the proto enum is a runtime value of @temporalio/proto,
// which this package does not depend on directly).
const WORKFLOW_TASKS = 1 as temporal.api.enums.v1.TaskQueueType;
const ACTIVITY_TASKS = 2 as temporal.api.enums.v1.TaskQueueType;

/** Where work would be sent. */
export interface TaskQueueAddress {
  namespace: string;
  taskQueue: string;
}

/** No worker polls the task queue: the command stops instead of starting a run nobody takes (exit code 1). */
export class NoWorkerError extends JobFailedError {
  override name = 'NoWorkerError';
  constructor(readonly address: TaskQueueAddress) {
    super(noWorkerMessage(address));
  }
}

/** The words for a queue no worker polls, with the fix. */
export function noWorkerMessage({ namespace, taskQueue }: TaskQueueAddress): string {
  return `no worker polls task queue ${taskQueue} in namespace ${namespace}: start one with \`s3-connector worker\` `
    + '(with the same --config, --address, --namespace and --task-queue), or `s3-connector dev` for a local server and worker';
}

/** The identities of the workers polling both kinds of tasks of the queue (a worker that polls only one kind cannot run a job). */
export async function pollingWorkers(client: Client, { namespace, taskQueue }: TaskQueueAddress): Promise<string[]> {
  const describe = (taskQueueType: temporal.api.enums.v1.TaskQueueType) => client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType });
  const [workflows, activities] = await Promise.all([describe(WORKFLOW_TASKS), describe(ACTIVITY_TASKS)]);
  const activityPollers = new Set((activities.pollers ?? []).map((p) => p.identity ?? ''));
  return (workflows.pollers ?? []).map((p) => p.identity ?? '').filter((id) => activityPollers.has(id));
}

/**
 * Resolves when a worker polls the queue; throws {@link NoWorkerError} when none does after
 * `graceMs` (a worker that has just started may not have reached the server with its first poll).
 */
export async function requireWorker(client: Client, address: TaskQueueAddress, graceMs = 3000): Promise<void> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    if ((await pollingWorkers(client, address)).length > 0) return;
    if (Date.now() >= deadline) throw new NoWorkerError(address);
    await sleep(250);
  }
}

/**
 * A Temporal client for a command that hands work to a worker: it fails at once, closing the
 * connection, when no worker polls the queue; `otherWay` ends that error with the command's
 * in-process alternative (e.g. "run it in this process with its credentials: --direct").
 */
export async function workerClient(options: GlobalOptions, otherWay?: string): Promise<Awaited<ReturnType<typeof temporalClient>>> {
  const connected = await temporalClient(options);
  try {
    await requireWorker(connected.client, { namespace: options.namespace, taskQueue: options.taskQueue });
  } catch (err) {
    await connected.close();
    if (otherWay && err instanceof NoWorkerError) err.message += `, or ${otherWay}`;
    throw err;
  }
  return connected;
}

/**
 * Watches the queue while a command waits for a run: calls `onChange(false)` when the last worker
 * is gone and `onChange(true)` when one is back, checking every `intervalMs`. Returns the stopper,
 * and the time spent without a worker so far (a run's rate must not count it as transfer time).
 */
export function watchWorkers(client: Client, address: TaskQueueAddress, onChange: (present: boolean) => void, intervalMs = 10_000): { stop: () => void; absentMs: () => number } {
  let present = true;
  let absentSince = 0;
  let absentTotal = 0;
  let stopped = false;
  const check = async () => {
    let now: boolean;
    try {
      now = (await pollingWorkers(client, address)).length > 0;
    } catch {
      return; // a failed check says nothing about the workers; the run's own wait reports a lost server
    }
    if (stopped || now === present) return;
    present = now;
    if (!now) absentSince = Date.now();
    else absentTotal += Date.now() - absentSince;
    onChange(now);
  };
  void check(); // at once: a run started with --allow-no-worker may have none from the start
  const timer = setInterval(() => { void check(); }, intervalMs);
  timer.unref();
  return {
    stop: () => { stopped = true; clearInterval(timer); },
    absentMs: () => absentTotal + (present ? 0 : Date.now() - absentSince),
  };
}
