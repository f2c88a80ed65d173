/**
 * Running the connector itself in tests: configs over the test MinIO, a real worker on the
 * real Temporal server, and the built CLI as a subprocess.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { stringify } from 'yaml';
import { parseConfig } from '../../config/load';
import type { ConnectorConfig } from '../../config/schema';
import { createConnectorWorker } from '../../worker/create-worker';
import { testEnv } from './test-env';

/** A source block for the test MinIO with root keys given as env references. */
export function minioSource(bucket: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    url: `s3://${bucket}/`, endpoint: testEnv().minio.endpoint, pathStyleAccess: true,
    credentials: { type: 'accessKey', accessKeyId: '${env:TEST_MINIO_KEY}', secretAccessKey: '${env:TEST_MINIO_SECRET}' },
    ...extra,
  };
}

/** Environment with the root keys the `${env:...}` references above resolve to. */
export function rootKeyEnv(): Record<string, string> {
  const { minio } = testEnv();
  return { TEST_MINIO_KEY: minio.rootUser, TEST_MINIO_SECRET: minio.rootPassword };
}

/** Validates a raw config object (fails the test on a config error). */
export function config(raw: object): ConnectorConfig {
  return parseConfig(raw).config;
}

/** Writes `raw` as s3-connector.yaml in a fresh folder and returns its path. */
export function writeConfigFile(raw: object): string {
  const file = join(mkdtempSync(join(tmpdir(), 's3c-config-')), 's3-connector.yaml');
  writeFileSync(file, stringify(raw));
  return file;
}

/** Runs `fn` while a real worker for `cfg` polls a fresh task queue on the test Temporal server. */
export async function withWorker<T>(cfg: ConnectorConfig, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `test-${Math.random().toString(36).slice(2)}`;
  const connection = await NativeConnection.connect({ address: testEnv().temporalAddress });
  try {
    const worker = await createConnectorWorker({ config: cfg, connection, taskQueue, fromSources: true });
    return await worker.runUntil(fn(taskQueue));
  } finally {
    await connection.close();
  }
}

/** The result of a CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (bin/s3-connector.js) with `args`. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const bin = resolve(__dirname, '..', '..', 'bin', 's3-connector.js');
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => ok({ code: code ?? -1, stdout, stderr }));
  });
}
