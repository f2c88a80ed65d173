import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { minioSource, rootKeyEnv, runCli, writeConfigFile } from '../harness/connector';
import { jsonLines } from '../harness/cli-output';
import { createBucket, putObjects } from '../harness/minio-admin';
import { startCli } from '../harness/spawn-cli';
import { testEnv } from '../harness/test-env';
import { temporalClient as connectTestClient } from '../harness/sync-runner';

const FILES = [{ key: 'in/a.csv', body: 'id\n1\n' }, { key: 'in/b.csv', body: 'id\n2\n' }];

describe('commands that need a worker', () => {
  const suffix = Math.random().toString(36).slice(2, 8);
  let file: string;
  const flags = (taskQueue: string) => ['--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue];
  const noWorker = (queue: string) => `no worker polls task queue ${queue} in namespace default: start one with \`s3-connector worker\``;

  beforeAll(async () => {
    const bucket = await createBucket('presence');
    await putObjects(bucket, FILES);
    file = writeConfigFile({
      datasetStore: mkdtempSync(join(tmpdir(), 'presence-store-')),
      sources: { src: minioSource(bucket, { url: `s3://${bucket}/in/` }) },
      syncs: { [`job-${suffix}`]: { source: 'src', dataset: 'presence', mode: 'bulk' }, [`late-${suffix}`]: { source: 'src', dataset: 'late', mode: 'bulk' } },
    });
  });

  it('sync stops at once with exit code 1 and the fix when no worker polls the queue, and starts no run', async () => {
    const queue = `presence-none-${suffix}`;
    const result = await runCli(['sync', `job-${suffix}`, ...flags(queue)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(noWorker(queue));
    const { client, close } = await connectTestClient();
    try {
      await expect(client.workflow.getHandle(`bulkImport/job-${suffix}`).describe()).rejects.toThrow(/not found/i);
    } finally {
      await close();
    }
  });

  it('check, explore and preview say the same instead of waiting for a worker that is not there', async () => {
    const queue = `presence-probes-${suffix}`;
    for (const args of [['check', 'src'], ['explore', 'src'], ['preview', 'src', 'a.csv']]) {
      const result = await runCli([...args, ...flags(queue)]);
      expect({ args, code: result.code, said: result.stderr.includes(noWorker(queue)) }).toEqual({ args, code: 1, said: true });
    }
  });

  it('sync --wait --allow-no-worker tells that it waits for a worker, then finishes once one starts', async () => {
    const queue = `presence-late-${suffix}`;
    const sync = startCli(['sync', `late-${suffix}`, '--wait', '--json', '--allow-no-worker', ...flags(queue)]);
    let worker: ReturnType<typeof startCli> | undefined;
    try {
      await sync.waitFor(/waiting: no worker polls task queue/);
      expect(sync.output().stderr).toContain(`waiting: ${noWorker(queue)}`);
      worker = startCli(['worker', ...flags(queue)], rootKeyEnv());
      await sync.waitFor(/"status":"completed"/);
      expect(jsonLines(sync.output().stdout).at(-1)).toMatchObject({ workflowId: `bulkImport/late-${suffix}`, status: 'completed', filesAdded: FILES.length });
      // The run's one-line summary, as the Web UI shows it.
      const { client, close } = await connectTestClient();
      try {
        expect(await (await client.workflow.getHandle(`bulkImport/late-${suffix}`).describe()).staticSummary()).toBe(`bulk sync late-${suffix}: source src -> dataset late (SNAPSHOT transaction)`);
      } finally {
        await close();
      }
    } finally {
      await sync.stop('SIGTERM');
      if (worker) await worker.stop('SIGTERM');
    }
  });

  it('sync --wait --timeout stops waiting with exit code 1, says the run goes on, and prints its status line with --json', async () => {
    const queue = `presence-timeout-${suffix}`;
    const result = await runCli(['sync', `job-${suffix}`, '--wait', '--timeout', '2s', '--json', '--allow-no-worker', ...flags(queue)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`stopped waiting after 2 s: sync job-${suffix} is still running as bulkImport/job-${suffix}`));
    const lines = jsonLines(result.stdout);
    expect(lines[0]).toMatchObject({ workflowId: `bulkImport/job-${suffix}`, status: 'running', error: expect.stringContaining('stopped waiting') });
    const { client, close } = await connectTestClient();
    try {
      await client.workflow.getHandle(`bulkImport/job-${suffix}`).terminate('test done');
    } finally {
      await close();
    }
  });
});
