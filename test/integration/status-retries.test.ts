import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy';
import { createBucket, putObjects } from '../harness/minio-admin';
import { temporalClient } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';

describe('status of a run whose listing keeps failing', () => {
  let proxy: FaultProxy | undefined;
  afterAll(async () => { await proxy?.close(); });

  it('says it is listing and which attempt of which activity is running with its last error, instead of "copying 0/0 objects"', async () => {
    Object.assign(process.env, rootKeyEnv());
    const bucket = await createBucket('status-retries');
    await putObjects(bucket, [{ key: 'a.csv', body: 'id\n1\n' }]);
    // Every LIST is refused with SlowDown: the plan activity fails and Temporal retries it.
    proxy = await startFaultProxy(testEnv().minio.endpoint, { faults: { list: { slowDown: { rate: 1 } } } });
    const raw = {
      datasetStore: mkdtempSync(join(tmpdir(), 'status-retries-')),
      sources: { src: minioSource(bucket, { endpoint: proxy.endpoint, maxErrorRetries: 5 }) },
      syncs: { stuck: { source: 'src', dataset: 'stuck', mode: 'bulk' } },
    };
    const file = writeConfigFile(raw);
    const { client, close } = await temporalClient();
    try {
      await withWorker(config(raw), async (taskQueue) => {
        const flags = ['--json', '--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue];
        expect((await runCli(['sync', 'stuck', ...flags])).code).toBe(0);
        let status: { progress?: { phase: string }; retrying: Array<{ activity: string; attempt: number; lastError?: string }> } | undefined;
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline) {
          status = JSON.parse((await runCli(['status', 'stuck', ...flags])).stdout);
          if (status!.retrying.length > 0) break;
          await new Promise((ok) => setTimeout(ok, 500));
        }
        expect(status!.progress).toMatchObject({ phase: 'listing' });
        expect(status!.retrying[0]).toMatchObject({ activity: 'syncPlanPage', attempt: expect.any(Number), lastError: expect.stringMatching(/SlowDown|slow down/i) });
        expect(status!.retrying[0]!.attempt).toBeGreaterThanOrEqual(2);
        const human = await runCli(['status', 'stuck', '--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue]);
        expect(human.stdout).toMatch(/progress {2}listing: the first page is being listed and decided/);
        expect(human.stdout).toMatch(/retrying {2}syncPlanPage: attempt \d+, last error: /);
        expect(human.stdout).not.toContain('0/0 objects');
        await client.workflow.getHandle('bulkImport/stuck').terminate('test done');
      });
    } finally {
      await close();
    }
  });
});
