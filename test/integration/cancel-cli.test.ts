import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { minioSource, rootKeyEnv, runCli, writeConfigFile } from '../harness/connector';
import { jsonLines } from '../harness/cli-output';
import { createBucket, putObjects } from '../harness/minio-admin';
import { startCli } from '../harness/spawn-cli';
import { localDataset, temporalClient } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';

describe('cancel, status by job name, and Ctrl-C while waiting', () => {
  const suffix = Math.random().toString(36).slice(2, 8);
  let file: string;
  let storeRoot: string;
  const flags = (taskQueue: string) => ['--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue];

  beforeAll(async () => {
    const bucket = await createBucket('cancel-cli');
    await putObjects(bucket, [{ key: 'in/a.csv', body: 'id\n1\n' }]);
    storeRoot = mkdtempSync(join(tmpdir(), 'cancel-cli-store-'));
    file = writeConfigFile({
      datasetStore: storeRoot,
      sources: { src: minioSource(bucket, { url: `s3://${bucket}/in/` }) },
      syncs: { [`stop-${suffix}`]: { source: 'src', dataset: 'stopped', mode: 'bulk' }, [`left-${suffix}`]: { source: 'src', dataset: 'left', mode: 'bulk' } },
    });
  });

  it('cancel JOB cancels the running run, waits for its cleanup, and status JOB then shows it cancelled', async () => {
    const queue = `cancel-${suffix}`;
    const job = `stop-${suffix}`;
    // No worker yet: the run stays queued, so the cancellation surely comes first.
    expect((await runCli(['sync', job, '--allow-no-worker', ...flags(queue)])).code).toBe(0);
    const running = await runCli(['status', job, '--json', ...flags(queue)]);
    expect(JSON.parse(running.stdout)).toMatchObject({ workflowId: `bulkImport/${job}`, status: 'RUNNING', job });
    const cancel = startCli(['cancel', job, '--json', ...flags(queue)]);
    await cancel.waitFor(/waiting for its cleanup/);
    const worker = startCli(['worker', ...flags(queue)], rootKeyEnv()); // runs the cancellation's cleanup
    try {
      expect(await cancel.stop('SIGCONT')).toBe(0); // waits for its own exit
      expect(jsonLines(cancel.output().stdout)).toEqual([{ workflowId: `bulkImport/${job}`, runId: expect.any(String), status: 'CANCELLED' }]);
    } finally {
      await worker.stop('SIGTERM');
    }
    const after = await runCli(['status', job, '--json', ...flags(queue)]);
    expect(JSON.parse(after.stdout)).toMatchObject({ workflowId: `bulkImport/${job}`, status: 'CANCELLED' });
    expect(await localDataset(storeRoot, 'stopped').transactions()).toEqual([]);
    const again = await runCli(['cancel', job, ...flags(queue)]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`job "${job}" has no running run`);
  });

  it('Ctrl-C during sync --wait without a terminal leaves the run running and says how to follow or cancel it', async () => {
    const queue = `sigint-${suffix}`;
    const job = `left-${suffix}`;
    const sync = startCli(['sync', job, '--wait', '--allow-no-worker', ...flags(queue)]);
    await sync.waitFor(/waiting: no worker polls/);
    expect(await sync.stop('SIGINT')).toBe(1);
    expect(sync.output().stderr).toContain(`stopped waiting (interrupted): sync ${job} is left running as bulkImport/${job}`);
    expect(sync.output().stderr).toContain(`cancel it with: s3-connector cancel bulkImport/${job}`);
    const { client, close } = await temporalClient();
    try {
      const handle = client.workflow.getHandle(`bulkImport/${job}`);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.terminate('test done');
    } finally {
      await close();
    }
  });
});
