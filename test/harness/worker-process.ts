/**
 * A worker as a separate OS process (the built CLI's `worker` command), so tests can kill -9
 * it, restart it, and read its peak memory from /proc.
 */
import { readFileSync } from 'node:fs';
import { startCli, type LongCli } from './spawn-cli';

/** Starts `s3-connector worker` for `configFile` on `taskQueue` and waits until it polls. */
export async function startWorkerProcess(configFile: string, address: string, taskQueue: string, env: Record<string, string> = {}, extraArgs: string[] = []): Promise<LongCli> {
  const worker = startCli(['worker', '--config', configFile, '--address', address, '--task-queue', taskQueue, ...extraArgs], { LOG_LEVEL: 'info', ...env });
  await worker.waitFor(/"msg":"worker started"/);
  return worker;
}

/** Peak resident memory (VmHWM) of a live process, in bytes. */
export function peakRssBytes(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmHWM for process ${pid}`);
  return Number(match[1]) * 1024;
}
