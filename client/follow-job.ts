/**
 * What `sync JOB` and `export JOB` share: start (or attach to) the job's workflow and, with
 * --wait, follow it with a progress bar and print its summary.
 */
import type { ConnectorConfig } from '../config/schema';
import type { Job } from '../jobs/job';
import { loadConfigFor, temporalClient, type GlobalOptions } from './context';
import { drawProgressBar, formatBytes, type ProgressBar } from './job-progress';
import { printable } from './printable';
import { jobWorkflow, startJob } from './start-job';

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

/** Runs `sync`/`export` JOB with the parsed options. */
export async function followJob<R extends { bytes: number }, S>(kind: JobKind<R, S>, job: string, options: GlobalOptions & { wait?: boolean }): Promise<void> {
  const { config } = loadConfigFor(options);
  const workflow = jobWorkflow(kind.resolve(config, job));
  const { client, close } = await temporalClient(options);
  try {
    const started = await startJob(client, workflow, options.taskQueue);
    const { workflowId, runId } = started;
    if (!options.wait) {
      if (options.json) process.stdout.write(`${JSON.stringify({ workflowId, runId, status: 'running', attached: started.attached })}\n`);
      else process.stdout.write(`${started.attached ? 'attached to' : 'started'} ${workflowId} (run ${runId})\nfollow it with: s3-connector status ${workflowId}\n`);
      return;
    }
    const startedAt = Date.now();
    const bar: ProgressBar | undefined = process.stderr.isTTY && !options.json ? drawProgressBar(started.handle) : undefined;
    let result: R;
    try {
      result = await started.handle.result() as R;
    } catch (err) {
      await bar?.stop();
      process.stderr.write(`${kind.verb} ${job} failed: ${workflowId} (run ${runId})\n`);
      throw err; // reported with its root cause, exit code 1
    }
    await bar?.stop();
    if (options.json) {
      process.stdout.write(`${JSON.stringify(kind.summary(result, { workflowId, runId }))}\n`);
    } else {
      const seconds = (Date.now() - startedAt) / 1000;
      const rate = seconds > 0 && result.bytes > 0 ? ` in ${seconds.toFixed(1)} s (${formatBytes(result.bytes / seconds)}/s)` : '';
      process.stdout.write(`${workflowId} (run ${runId}) completed: ${printable(kind.describe(result))}${rate}\n`);
    }
  } finally {
    await close();
  }
}
