/**
 * discoverTables and registerTable with an entry (tables discover --apply), on stub activities:
 * the walk's source and limits reach the activity and its result comes back; a transient failure
 * of the walk is retried maxErrorRetries times (its catalog fields and its catalog tables passed
 * through as they are); a registration carries its entry to the activity (a folder or a catalog identifier),
 * and one without an entry calls it with the name alone.
 */
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ConnectorActivities } from '../../activities';
import { discoverTables, registerTable } from '../../workflows';
import { outcome, stubWorkers, uniqueWorkflowId, type StubWorkers } from '../harness/stub-worker';

type Found = Awaited<ReturnType<ConnectorActivities['tablesDiscover']>>;

let temporal: StubWorkers;
beforeAll(async () => { temporal = await stubWorkers(); });
afterAll(async () => { await temporal?.close(); });

const found: Found = {
  path: 'lake/', listed: 12, limits: { maxDepth: 2 }, skipped: [],
  tables: [
    { format: 'delta', location: 'lake/orders/', foundBy: ['s3-walk'], version: 3, complete: true },
    { format: 'iceberg', location: 'lake/ice/', identifier: 'db.ice', foundBy: ['catalog', 's3-walk'], metadataFile: 'v2.metadata.json', complete: true },
  ],
  catalog: { type: 'glue', namespaces: 1, tables: 1 },
};

describe('discover workflows', () => {
  it('discoverTables passes the source and the limits through, retrying a transient failure', async () => {
    const seen: unknown[] = [];
    const { worker, taskQueue } = await temporal.worker({
      tablesDiscover: async (source, request) => {
        seen.push([activityInfo().attempt, source, request]);
        if (seen.length === 1) throw ApplicationFailure.create({ message: 'SlowDown', type: 'SlowDown', nonRetryable: false });
        return found;
      },
    });
    const request = { path: 'lake/', maxDepth: 2, maxObjects: 500, namespace: 'db', maxCatalogTables: 10 };
    const ended = await worker.runUntil(async () => outcome(await temporal.client.workflow.start(discoverTables, {
      taskQueue, workflowId: uniqueWorkflowId('discoverTables/lake'), args: [{ source: 'lake', maxErrorRetries: 1, request }],
    })));
    expect(ended.result).toEqual(found);
    expect(seen).toEqual([[1, 'lake', request], [2, 'lake', request]]);
  }, 30_000);

  it('registerTable hands its entry (a folder or a catalog identifier) to the activity, and only the name when it has none', async () => {
    const seen: unknown[][] = [];
    const record = {
      name: 'orders', format: 'delta' as const, source: 'lake', location: 'lake/orders/', url: 's3://b/lake/orders/', schema: [],
      partitionColumns: [], fileCount: 0, bytes: 0, registeredAt: '2026-01-01T00:00:00.000Z',
    };
    const { worker, taskQueue } = await temporal.worker({
      tableRegister: async (...args) => (seen.push(args), { record }),
    });
    const entry = { source: 'lake', format: 'delta' as const, location: 'lake/orders/' };
    const catalogEntry = { source: 'lake', format: 'iceberg' as const, identifier: 'db.orders' };
    await worker.runUntil(async () => {
      await outcome(await temporal.client.workflow.start(registerTable, { taskQueue, workflowId: uniqueWorkflowId('registerTable/orders'), args: [{ table: 'orders', maxErrorRetries: 0, entry }] }));
      await outcome(await temporal.client.workflow.start(registerTable, { taskQueue, workflowId: uniqueWorkflowId('registerTable/orders'), args: [{ table: 'orders', maxErrorRetries: 0, entry: catalogEntry }] }));
      await outcome(await temporal.client.workflow.start(registerTable, { taskQueue, workflowId: uniqueWorkflowId('registerTable/orders'), args: [{ table: 'orders', maxErrorRetries: 0 }] }));
    });
    expect(seen).toEqual([['orders', entry], ['orders', catalogEntry], ['orders']]);
  }, 30_000);
});
