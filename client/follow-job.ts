/**
 * What `sync JOB` and `export JOB` share: start (or attach to) the job's workflow and, with
 * --wait, follow it with a progress bar and print its summary.
 */
import type { ConnectorConfig } from '../config/schema';
import type { Job } from '../jobs/job';
import { loadConfigFor, temporalClient, type GlobalOptions } from './context';
import { cancelRun } from './cancel-run';
import { JobFailedError, rootMessage } from './errors';
import { onInterrupt, WaitInterruptedError } from './interrupt';
import { drawProgressBar, formatBytes, type ProgressBar } from './job-progress';
import type { RunOptions } from './options';
import { printable } from './printable';
import { runUrl } from './web-ui';
import { jobWorkflow, startJob, type StartedJob } from './start-job';
import { noWorkerMessage, pollingWorkers, requireWorker, watchWorkers } from './worker-presence';

/** How one kind of job is started and summarised. */
export interface JobKind<R extends { bytes: number }, S> {
  /** `sync` or `export`, for messages. */
  verb: string;
  /** Resolves the job (bad usage fails before Temporal is contacted). */
  resolve: (config: ConnectorConfig, job: string) => Job;
  /** The JSON summary line. */
  summary: (result: R, ids: { workflowId: string; runId: string }) => S;
  /** The human summary, without the rate. */
  describe: (result: R) => string;
}

/** --wait gave up (--timeout): the run goes on; exit code 1. */
export class WaitTimeoutError extends JobFailedError {
  override name = 'WaitTimeoutError';
}

/**
 * Waits for the run's result, telling on stderr while no worker polls its queue, and giving up
 * after `timeoutMs`. Returns the result and the time spent without a worker.
 */
async function waitForRun<R>(started: StartedJob, client: Awaited<ReturnType<typeof temporalClient>>['client'], options: GlobalOptions & RunOptions, what: string): Promise<{ result: R; absentMs: number }> {
  const address = { namespace: options.namespace, taskQueue: options.taskQueue };
  const watcher = watchWorkers(client, address, (present) => {
    process.stderr.write(present
      ? `a worker polls task queue ${options.taskQueue} again: ${what} goes on\n`
      : `waiting: ${noWorkerMessage(address)}; ${what} resumes when one does\n`);
  });
  let timer: NodeJS.Timeout | undefined;
  const interrupt = onInterrupt(`${what} (${started.workflowId})`);
  const interrupted = interrupt.decided.then(async (cancel): Promise<never> => {
    if (!cancel) {
      throw new WaitInterruptedError(`stopped waiting (interrupted): ${what} is left running as ${started.workflowId} (run ${started.runId}). `
        + `Follow it with: s3-connector status ${started.workflowId}; cancel it with: s3-connector cancel ${started.workflowId}`, false);
    }
    process.stderr.write(`cancelling ${started.workflowId}; waiting for its cleanup\n`);
    const outcome = await cancelRun(started.handle);
    throw new WaitInterruptedError(`${what} ${outcome.status === 'CANCELLED' ? 'cancelled' : `ended as ${outcome.status} before the cancellation`}: ${started.workflowId} (run ${outcome.runId})`, true);
  });
  try {
    const timedOut = new Promise<never>((_, fail) => {
      if (options.timeout === undefined) return;
      timer = setTimeout(() => fail(new WaitTimeoutError(`stopped waiting after ${Math.round(options.timeout! / 1000)} s: ${what} is still running as ${started.workflowId} (run ${started.runId}). Follow it with: s3-connector status ${started.workflowId}`)), options.timeout);
    });
    const result = await Promise.race([started.handle.result() as Promise<R>, timedOut, interrupted]);
    return { result, absentMs: watcher.absentMs() };
  } finally {
    clearTimeout(timer);
    watcher.stop();
    interrupt.dispose();
    interrupted.catch(() => {}); // decided after the run ended: nothing left to do
  }
}

/** Runs `sync`/`export` JOB with the parsed options. */
export async function followJob<R extends { bytes: number }, S>(kind: JobKind<R, S>, job: string, options: GlobalOptions & RunOptions): Promise<void> {
  const { config } = loadConfigFor(options);
  const workflow = jobWorkflow(kind.resolve(config, job));
  const { client, close } = await temporalClient(options);
  try {
    const address = { namespace: options.namespace, taskQueue: options.taskQueue };
    if (!options.allowNoWorker) await requireWorker(client, address);
    else if ((await pollingWorkers(client, address)).length === 0) process.stderr.write(`warning: ${noWorkerMessage(address)}; the run waits on the queue until one does\n`);
    const started = await startJob(client, workflow, options.taskQueue);
    const { workflowId, runId } = started;
    const link = runUrl(options.address, options.namespace, workflowId, runId);
    if (link && !options.json) process.stderr.write(`Web UI: ${link}\n`);
    if (!options.wait) {
      if (options.json) process.stdout.write(`${JSON.stringify({ workflowId, runId, status: 'running', attached: started.attached })}\n`);
      else process.stdout.write(`${started.attached ? 'attached to' : 'started'} ${workflowId} (run ${runId})\nfollow it with: s3-connector status ${workflowId}\n`);
      return;
    }
    const startedAt = Date.now();
    const bar: ProgressBar | undefined = process.stderr.isTTY && !options.json ? drawProgressBar(started.handle) : undefined;
    let outcome: { result: R; absentMs: number };
    try {
      outcome = await waitForRun<R>(started, client, options, `${kind.verb} ${job}`);
    } catch (err) {
      await bar?.stop();
      const leftRunning = err instanceof WaitTimeoutError || (err instanceof WaitInterruptedError && !err.cancelled);
      const status = leftRunning ? 'running' : err instanceof WaitInterruptedError ? 'cancelled' : 'failed';
      // Scripts read the last stdout line: a run that failed or was not waited for says so there too.
      if (options.json) process.stdout.write(`${JSON.stringify({ workflowId, runId, status, error: rootMessage(err) })}\n`);
      if (status === 'failed') process.stderr.write(`${kind.verb} ${job} failed: ${workflowId} (run ${runId})\n`);
      throw err; // reported with its root cause, exit code 1
    }
    await bar?.stop();
    const { result, absentMs } = outcome;
    if (options.json) {
      process.stdout.write(`${JSON.stringify(kind.summary(result, { workflowId, runId }))}\n`);
    } else {
      // Time without a worker is not transfer time.
      const seconds = (Date.now() - startedAt - absentMs) / 1000;
      const rate = seconds > 0 && result.bytes > 0 ? ` in ${seconds.toFixed(1)} s (${formatBytes(result.bytes / seconds)}/s)` : '';
      process.stdout.write(`${workflowId} (run ${runId}) completed: ${printable(kind.describe(result))}${rate}\n`);
    }
  } finally {
    await close();
  }
}
