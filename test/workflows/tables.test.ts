/**
 * The table workflows (registerTable, previewTable, tableHistory) with stub activities: they
 * pass the table's name and options through, return what the activity returns, and retry it
 * maxErrorRetries times on a transient failure, never on a permanent one.
 */
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ConnectorActivities } from '../../activities';
import { previewTable, registerTable, tableHistory } from '../../workflows';
import { outcome, stubWorkers, uniqueWorkflowId, type StubWorkers } from '../harness/stub-worker';

type Registration = Awaited<ReturnType<ConnectorActivities['tableRegister']>>;

let temporal: StubWorkers;
beforeAll(async () => { temporal = await stubWorkers(); });
afterAll(async () => { await temporal?.close(); });

const record: Registration['record'] = {
  name: 'orders', format: 'delta', source: 'lake', location: 'orders/', url: 's3://b/orders/', version: 3,
  schema: [{ name: 'id', type: 'long', nullable: false }], partitionColumns: [], fileCount: 2, bytes: 100, registeredAt: '2026-01-01T00:00:00.000Z',
};

describe('table workflows', () => {
  it('register: retries a transient failure up to maxErrorRetries, then returns the record', async () => {
    const attempts: number[] = [];
    const { worker, taskQueue } = await temporal.worker({
      tableRegister: async (name) => {
        attempts.push(activityInfo().attempt);
        if (attempts.length < 3) throw ApplicationFailure.create({ message: 'SlowDown', type: 'SlowDown', nonRetryable: false });
        return { record: { ...record, name } };
      },
    });
    const ended = await worker.runUntil(async () => outcome(await temporal.client.workflow.start(registerTable, {
      taskQueue, workflowId: uniqueWorkflowId('registerTable/orders'), args: [{ table: 'orders', maxErrorRetries: 2 }],
    })));
    expect(ended.result).toEqual({ record });
    expect(attempts).toEqual([1, 2, 3]);
  }, 30_000);

  it('register: fails at once on a permanent failure, with its message', async () => {
    let calls = 0;
    const { worker, taskQueue } = await temporal.worker({
      tableRegister: async () => {
        calls++;
        throw ApplicationFailure.create({ message: 'reader feature deletionVectors2 is not supported', type: 'DeltaUnsupportedFeatureError', nonRetryable: true });
      },
    });
    const ended = await worker.runUntil(async () => outcome(await temporal.client.workflow.start(registerTable, {
      taskQueue, workflowId: uniqueWorkflowId('registerTable/bad'), args: [{ table: 'bad', maxErrorRetries: 3 }],
    })));
    expect(calls).toBe(1);
    expect(String((ended.error?.cause as Error | undefined)?.cause)).toContain('deletionVectors2 is not supported');
  });

  it('preview and history pass the table and the limit through', async () => {
    const seen: unknown[] = [];
    const { worker, taskQueue } = await temporal.worker({
      tablePreview: async (name, limit) => (seen.push(['preview', name, limit]), { table: name, version: 3, columns: record.schema, rows: ['{"id":9223372036854775807}'] }),
      tableHistory: async (name, limit) => (seen.push(['history', name, limit]), [{ version: 3, timestamp: '2026-01-01T00:00:00.000Z', operation: 'WRITE' }]),
    });
    const [preview, history] = await worker.runUntil(async () => [
      await outcome(await temporal.client.workflow.start(previewTable, { taskQueue, workflowId: uniqueWorkflowId('previewTable/orders'), args: [{ table: 'orders', maxErrorRetries: 0, limit: 7 }] })),
      await outcome(await temporal.client.workflow.start(tableHistory, { taskQueue, workflowId: uniqueWorkflowId('tableHistory/orders'), args: [{ table: 'orders', maxErrorRetries: 0, limit: 5 }] })),
    ] as const);
    expect(preview.result).toEqual({ table: 'orders', version: 3, columns: record.schema, rows: ['{"id":9223372036854775807}'] });
    expect(history.result).toEqual([{ version: 3, timestamp: '2026-01-01T00:00:00.000Z', operation: 'WRITE' }]);
    expect(seen).toEqual([['preview', 'orders', 7], ['history', 'orders', 5]]);
  });
});
