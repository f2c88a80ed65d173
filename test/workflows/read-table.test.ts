/**
 * The readTable workflow with a stub tableRead activity: it passes the table, the request, the
 * format and its own workflow id (the store folder's name) through and returns where the read
 * was stored; a cancelled read ends only once its activity has finished removing what it wrote.
 */
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { StoredRead } from '../../activities';
import { readTable } from '../../workflows';
import { eventually, outcome, stubWorkers, uniqueWorkflowId, type StubWorkers } from '../harness/stub-worker';

let temporal: StubWorkers;
beforeAll(async () => { temporal = await stubWorkers(); });
afterAll(async () => { await temporal?.close(); });

const stored = (readId: string): StoredRead => ({
  path: `_reads/${encodeURIComponent(readId)}/blob`, folder: `_reads/${encodeURIComponent(readId)}`, format: 'parquet', rows: 3, bytes: 1234,
  header: { version: 7, columns: [{ name: 'id', type: 'long', nullable: false }] },
});

describe('readTable', () => {
  it('passes the table, the request, the format and its workflow id through, and returns where the read is stored', async () => {
    const seen: unknown[] = [];
    const { worker, taskQueue } = await temporal.worker({
      tableRead: async (name, request, format, readId) => (seen.push([name, request, format, readId]), stored(readId)),
    });
    const workflowId = uniqueWorkflowId('readTable/orders');
    const request = { columns: ['id'], limit: 10, version: 7, where: 'id > 1' };
    const ended = await worker.runUntil(async () => outcome(await temporal.client.workflow.start(readTable, {
      taskQueue, workflowId, args: [{ table: 'orders', maxErrorRetries: 1, request, format: 'parquet' }],
    })));
    expect(ended.result).toEqual(stored(workflowId));
    expect(seen).toEqual([['orders', request, 'parquet', workflowId]]);
  });

  it('when cancelled, ends only after its activity has removed what it wrote', async () => {
    const events: string[] = [];
    const { worker, taskQueue } = await temporal.worker({
      tableRead: async () => {
        const ctx = Context.current();
        events.push('started');
        const beat = setInterval(() => ctx.heartbeat(), 100);
        try {
          await ctx.cancelled;
        } catch (err) {
          // The cleanup takes a while: the workflow must wait for it.
          await new Promise((ok) => setTimeout(ok, 1000));
          events.push('removed');
          throw err;
        } finally {
          clearInterval(beat);
        }
        throw new Error('not cancelled');
      },
    });
    const ended = await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(readTable, {
        taskQueue, workflowId: uniqueWorkflowId('readTable/slow'), args: [{ table: 'slow', maxErrorRetries: 0, request: {}, format: 'jsonl' }],
      });
      await eventually('the activity to start', () => events.includes('started'));
      await handle.cancel();
      const result = await outcome(handle);
      events.push('ended');
      return result;
    });
    expect(ended.error?.cause).toBeInstanceOf(CancelledFailure);
    expect(events).toEqual(['started', 'removed', 'ended']);
  });
});
