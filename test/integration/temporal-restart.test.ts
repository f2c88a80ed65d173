import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../devservers/process';
import { startTemporalDevServer, type TemporalDevServer } from '../../devservers/temporal-dev';
import type { SyncProgress } from '../../shared/temporal-contract';
import { createBucket, putObjects } from '../harness/minio-admin';
import { minioSource, rootKeyEnv, writeConfigFile } from '../harness/connector';
import { localDataset } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';
import { startWorkerProcess } from '../harness/worker-process';

describe('a restart of the Temporal server', () => {
  it('mid-run does not stop the run: with a persistent database, it completes with one transaction and every object once', async () => {
    Object.assign(process.env, rootKeyEnv());
    const bucket = await createBucket('restart');
    const count = 3000;
    await putObjects(bucket, Array.from({ length: count }, (_, i) => ({ key: `r/${String(i).padStart(5, '0')}`, body: `restart ${i}` })), 64);
    const storeRoot = mkdtempSync(join(tmpdir(), 'restart-store-'));
    const file = writeConfigFile({ datasetStore: storeRoot, sources: { src: minioSource(bucket, { maxConnections: 4 }) },
      syncs: { job: { source: 'src', dataset: 'ds', mode: 'bulk' } } });
    // A server of its own: the shared one serves the other test files meanwhile.
    const dir = mkdtempSync(join(testEnv().runDir, 'restart-'));
    const options = { logDir: dir, port: await freePort(), dbFile: join(dir, 'temporal.db'), headless: true };
    let server: TemporalDevServer = await startTemporalDevServer(options);
    const worker = await startWorkerProcess(file, server.address, 'restart');
    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection });
      const handle = await client.workflow.start('bulkImport', {
        taskQueue: 'restart', workflowId: 'bulkImport/job', args: [{ job: 'job', source: 'src', dataset: 'ds', maxErrorRetries: 3 }],
      });
      for (let p: SyncProgress | undefined; !p || p.pages < 1;) {
        p = await handle.query<SyncProgress>('progress').catch(() => undefined);
        await new Promise((r) => setTimeout(r, 50));
      }
      await server.stop();
      server = await startTemporalDevServer(options);
      const result = await handle.result();
      expect(result).toMatchObject({ transaction: 1, filesAdded: count });
    } finally {
      await worker.stop('SIGTERM');
      await connection.close();
      await server.stop();
    }
    const ds = localDataset(storeRoot, 'ds');
    const records = await ds.transactions();
    expect(records.map((r) => r.id)).toEqual([1]);
    const files = await ds.transactionFiles(records[0]!);
    expect(new Set(files.map((f) => f.source.key)).size).toBe(count);
  });
});
