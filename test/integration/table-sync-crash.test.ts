/**
 * A table sync run survives a kill -9 of its worker: another worker process takes over the
 * write activity, resumes from its saved progress, and the run lands the appended rows exactly
 * once (compared with deltalake's reading of the versions), in one APPEND transaction.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { minioSource, rootKeyEnv, writeConfigFile } from '../harness/connector';
import { filesOf } from '../harness/delta-fixtures';
import { createBucket, putObjects } from '../harness/minio-admin';
import { localDataset, temporalClient } from '../harness/sync-runner';
import { startWorkerProcess } from '../harness/worker-process';
import { testEnv } from '../harness/test-env';
import type { TableSyncResult } from '../../workflows/table-sync-types';

const root = resolve(__dirname, '..', '..');
const python = join(root, '.tools', 'venv', 'bin', 'python');

function fixture(...args: string[]): string[] {
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
  return execFileSync(python, [join(root, 'scripts', 'fixtures', 'delta_table_sync.py'), ...args], { encoding: 'utf8' }).split('\n').filter((l) => l !== '');
}
const idOf = (line: string) => Number((JSON.parse(line) as { id: number }).id);

/** Lines saved in the run's page progress files so far (0 while none is saved). */
function savedProgress(storeRoot: string, dataset: string): number {
  const runs = join(storeRoot, dataset, 'runs');
  if (!existsSync(runs)) return 0;
  let lines = 0;
  for (const run of readdirSync(runs)) {
    for (const name of readdirSync(join(runs, run)).filter((n) => /^progress-\d+\.jsonl$/.test(n))) {
      lines += readFileSync(join(runs, run, name), 'utf8').split('\n').filter((l) => l !== '').length;
    }
  }
  return lines;
}

// A kill waits out a 20 s heartbeat timeout; on a loaded 2-core machine these runs take minutes.
jest.setTimeout(300_000);

describe('table sync durability', () => {
  let t: Awaited<ReturnType<typeof temporalClient>>;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
  });
  afterAll(() => t.close());

  it('lands the appended rows exactly once after the worker is killed with SIGKILL mid-write and another takes over', async () => {
    const bucket = await createBucket('table-sync-kill');
    const table = join(mkdtempSync(join(tmpdir(), 'table-sync-kill-')), 'orders');
    const storeRoot = mkdtempSync(join(tmpdir(), 'table-sync-kill-store-'));
    fixture('append', table, '0', '20'); // version 0
    const raw = {
      datasetStore: storeRoot, sources: { src: minioSource(bucket) },
      virtualTables: { orders: { source: 'src', format: 'delta', location: 'lake/orders/' } },
      tableSyncs: { kill: { table: 'orders', dataset: 'rows', rowsPerFile: 2 } },
    };
    const file = writeConfigFile(raw);
    const taskQueue = `table-kill-${Date.now()}`;
    const start = () => t.client.workflow.start('tableSync', {
      taskQueue, workflowId: `tableSync/kill-${Date.now()}`, args: [{ job: 'kill', source: 'src', dataset: 'rows', maxErrorRetries: 3 }],
    });
    let worker = await startWorkerProcess(file, testEnv().temporalAddress, taskQueue);
    try {
      await putObjects(bucket, filesOf(table, 'lake/orders/'));
      expect(await (await start()).result()).toMatchObject({ transaction: 1, rows: 20 });
      // 60 appends of 30 rows (versions 1-60, 120 data files, 1,800 files of 2 rows): a write that lasts long
      // enough for the kill to land while the first page is being written, on a fast machine too.
      fixture('appends', table, '20', '30', '60');
      await putObjects(bucket, filesOf(table, 'lake/orders/'));
      const handle = await start();
      while (savedProgress(storeRoot, 'rows') === 0) await new Promise((r) => setTimeout(r, 50));
      expect(await worker.stop('SIGKILL')).toBeNull();
      worker = await startWorkerProcess(file, testEnv().temporalAddress, taskQueue);
      const result = await handle.result() as TableSyncResult;
      expect(result).toMatchObject({ transaction: 2, transactionType: 'APPEND', fromVersion: 1, toVersion: 60, rows: 1800 });
      // The killed worker's write activity was retried on the other one (its last attempt is the
      // second), in whichever run of the chain it was: the workflow continues as new between pages.
      const events: NonNullable<Awaited<ReturnType<typeof handle.fetchHistory>>['events']> = [];
      for (let runId: string | undefined = handle.firstExecutionRunId; runId;) {
        const history: typeof events = (await t.client.workflow.getHandle(handle.workflowId, runId).fetchHistory()).events ?? [];
        events.push(...history);
        runId = history.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
      }
      expect(events.some((e) => Number(e.activityTaskStartedEventAttributes?.attempt ?? 0) >= 2)).toBe(true);
    } finally {
      await worker.stop('SIGTERM');
    }
    const dataset = localDataset(storeRoot, 'rows');
    const records = await dataset.transactions();
    expect(records.map((r) => [r.id, r.type, r.tableCursor?.version])).toEqual([[1, 'SNAPSHOT', 0], [2, 'APPEND', 60]]);
    const entries = await dataset.transactionFiles(records[1]!);
    expect(new Set(entries.map((e) => e.path)).size).toBe(entries.length);
    const landed = fixture('files', ...entries.map((e) => join(storeRoot, e.blob))).sort((a, b) => idOf(a) - idOf(b));
    const before = new Set(fixture('rows', table, '0').map(idOf));
    expect(landed).toEqual(fixture('rows', table, '60').filter((l) => !before.has(idOf(l))));
    expect(readdirSync(join(storeRoot, 'rows', 'runs'))).toEqual([]);
  });

  it('removes every file of a run cancelled mid-write, and commits nothing', async () => {
    const bucket = await createBucket('table-sync-cancel');
    const table = join(mkdtempSync(join(tmpdir(), 'table-sync-cancel-')), 'orders');
    const storeRoot = mkdtempSync(join(tmpdir(), 'table-sync-cancel-store-'));
    fixture('appends', table, '0', '30', '100'); // 200 data files, 1500 files of 2 rows: a write that outlasts the cancellation
    await putObjects(bucket, filesOf(table, 'lake/orders/'));
    const raw = {
      datasetStore: storeRoot, sources: { src: minioSource(bucket) },
      virtualTables: { orders: { source: 'src', format: 'delta', location: 'lake/orders/' } },
      tableSyncs: { cancel: { table: 'orders', dataset: 'rows', rowsPerFile: 2 } },
    };
    const taskQueue = `table-cancel-${Date.now()}`;
    const worker = await startWorkerProcess(writeConfigFile(raw), testEnv().temporalAddress, taskQueue);
    try {
      const handle = await t.client.workflow.start('tableSync', {
        taskQueue, workflowId: `tableSync/cancel-${Date.now()}`, args: [{ job: 'cancel', source: 'src', dataset: 'rows', maxErrorRetries: 3 }],
      });
      while (savedProgress(storeRoot, 'rows') === 0) await new Promise((r) => setTimeout(r, 50));
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      const history = await handle.fetchHistory();
      expect(history.events!.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)).toContain('tableSyncAbort');
    } finally {
      await worker.stop('SIGTERM');
    }
    expect(await localDataset(storeRoot, 'rows').transactions()).toEqual([]);
    expect(readdirSync(join(storeRoot, 'rows', 'runs'))).toEqual([]);
    const manifests = join(storeRoot, 'rows', 'manifests');
    expect(existsSync(manifests) ? readdirSync(manifests) : []).toEqual([]);
    const blobs = readdirSync(join(storeRoot, 'rows', 'blobs'), { recursive: true, encoding: 'utf8' }).filter((n) => /[0-9a-f]{64}$/.test(n));
    expect(blobs).toEqual([]);
  });
});
