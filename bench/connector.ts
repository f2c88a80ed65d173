/**
 * s3-connector runs: a fresh `s3-connector worker` process (the built CLI) per run, a workflow
 * started with @temporalio/client, and the worker's own CPU (from /proc/<pid>/stat, between the
 * start of the workflow and its result) and peak RSS (VmHWM, read before the worker stops).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { Client } from '@temporalio/client';
import { stringify } from 'yaml';
import type { S3Target } from './generate';
import { peakRss, processCpuSeconds, serverCpu, type Sample } from './measure';
import { stopper } from '../devservers/process';

/** The connector's config for the benchmark: one source per bucket prefix, sync and export jobs. */
export interface BenchConfig {
  datasetStore: string;
  /** Sources by name: a bucket and a key prefix (the source URL's path). */
  sources: Record<string, { bucket: string; prefix: string; exports?: boolean }>;
  syncs?: Record<string, { source: string; dataset: string; mode: 'bulk' | 'incremental' }>;
  exports?: Record<string, { source: string; dataset: string }>;
}

/** A running worker process. */
interface WorkerProcess {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Runs s3-connector workflows on fresh worker processes, each with its own task queue. */
export class ConnectorRunner {
  private seq = 0;

  /**
   * @param root the project root (bin/s3-connector.js, built into dist/)
   * @param logDir where worker logs and configs go
   */
  constructor(private readonly client: Client, private readonly address: string, private readonly target: S3Target,
    private readonly concurrency: number, private readonly root: string, private readonly logDir: string, private readonly serverPids: number[]) {
    mkdirSync(logDir, { recursive: true });
  }

  /** Writes `config` as s3-connector.yaml (credentials as ${env:...} references) and returns its path. */
  writeConfig(config: BenchConfig, name: string): string {
    const sources = Object.fromEntries(Object.entries(config.sources).map(([key, s]) => [key, {
      url: `s3://${s.bucket}/${s.prefix}`, endpoint: this.target.endpoint, pathStyleAccess: true, maxConnections: this.concurrency,
      credentials: { type: 'accessKey', accessKeyId: '${env:BENCH_S3_KEY}', secretAccessKey: '${env:BENCH_S3_SECRET}' },
      ...(s.exports ? { exports: { enabled: true } } : {}),
    }]));
    const file = join(this.logDir, `${name}.yaml`);
    writeFileSync(file, stringify({ datasetStore: config.datasetStore, sources, syncs: config.syncs ?? {}, exports: config.exports ?? {} }));
    return file;
  }

  private async startWorker(configFile: string, taskQueue: string, nodeFlags: string[], workerArgs: string[]): Promise<WorkerProcess> {
    const log = createWriteStream(join(this.logDir, `${taskQueue}.log`));
    // The worker starts as users start it: through bin/s3-connector.js's shell part, which sets its
    // memory settings, with this node first on PATH. Node flags (BENCH_WORKER_NODE_FLAGS, then
    // `nodeFlags`; space-separated, so no spaces in paths) go after the launcher's.
    const envFlags = (process.env.BENCH_WORKER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    const child = spawn(join(this.root, 'bin', 's3-connector.js'), ['worker', '--config', configFile, '--address', this.address, '--task-queue', taskQueue, ...workerArgs], {
      env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, S3_CONNECTOR_NODE_FLAGS: [...envFlags, ...nodeFlags].join(' '),
        BENCH_S3_KEY: this.target.accessKeyId, BENCH_S3_SECRET: this.target.secretAccessKey, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    // A worker gets 30 s to finish its activities before SIGKILL.
    const stop = stopper(child, 30_000);
    await new Promise<void>((ok, fail) => {
      let seen = '';
      const timer = setTimeout(() => fail(new Error(`worker did not start within 60 s:\n${seen.slice(-2000)}`)), 60_000);
      child.stderr!.on('data', (d: Buffer) => {
        log.write(d);
        if (seen.length < 65536) seen += d.toString();
        if (seen.includes('"msg":"worker started"')) { clearTimeout(timer); ok(); }
      });
      child.once('exit', (code) => { clearTimeout(timer); fail(new Error(`worker exited with ${code} before it started:\n${seen.slice(-2000)}`)); });
    });
    return { child, stop: async () => { await stop(); log.end(); } };
  }

  /**
   * Runs workflow `type` for `job` on a fresh worker and measures it. `nodeFlags` (e.g.
   * --cpu-prof) go to the worker's node, `workerArgs` to `s3-connector worker`.
   */
  async run<R>(configFile: string, type: 'bulkImport' | 'incrementalSync' | 'fileExport', job: string, names: { source: string; dataset: string },
    nodeFlags: string[] = [], workerArgs: string[] = []): Promise<{ sample: Sample; result: R; window: { startUs: number; endUs: number } }> {
    const taskQueue = `bench-${process.pid}-${++this.seq}`;
    const worker = await this.startWorker(configFile, taskQueue, nodeFlags, workerArgs);
    try {
      const pid = worker.child.pid!;
      const cpu0 = processCpuSeconds(pid);
      const servers = serverCpu(this.serverPids);
      const started = process.hrtime.bigint();
      const result = await this.client.workflow.execute<(...args: unknown[]) => Promise<R>>(type, {
        taskQueue, workflowId: `${type}/${job}-${taskQueue}`, args: [{ job, ...names, maxErrorRetries: 3 }],
        workflowExecutionTimeout: '2 hours',
      });
      const ended = process.hrtime.bigint();
      const wallSeconds = Number(ended - started) / 1e9;
      const sample: Sample = { wallSeconds, cpuSeconds: processCpuSeconds(pid) - cpu0, peakRssBytes: peakRss(pid), serverCpuSeconds: servers() };
      // CLOCK_MONOTONIC microseconds, the clock of V8's CPU profiles (to cut a profile to the run).
      return { sample, result, window: { startUs: Number(started / 1000n), endUs: Number(ended / 1000n) } };
    } finally {
      await worker.stop();
    }
  }
}
