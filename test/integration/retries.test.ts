import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { createSourceClient } from '../../s3/client';
import { listPage } from '../../s3/list';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { startFaultServer, type FaultServer } from '../harness/fault-server';
import { testEnv } from '../harness/test-env';

function sourceAt(server: FaultServer) {
  return config({ sources: { src: minioSource('bucket-x', { endpoint: server.endpoint, maxErrorRetries: 2 }) } });
}

async function exploreThroughTemporal(server: FaultServer): Promise<unknown> {
  const cfg = sourceAt(server);
  const connection = await Connection.connect({ address: testEnv().temporalAddress });
  try {
    const client = new Client({ connection });
    return await withWorker(cfg, (taskQueue) => client.workflow.execute('exploreSource', {
      taskQueue, workflowId: `retry-test-${Math.random().toString(36).slice(2)}`,
      args: [{ source: 'src', maxErrorRetries: 2, request: { path: '', recursive: false } }],
    }).catch((err: unknown) => err));
  } finally {
    await connection.close();
  }
}

describe('retries', () => {
  beforeAll(() => Object.assign(process.env, rootKeyEnv()));

  it('lets the SDK retry maxErrorRetries times in direct mode, where no Temporal retry exists', async () => {
    const server = await startFaultServer(503, 'SlowDown');
    try {
      const client = createSourceClient('src', sourceAt(server).sources.src!);
      await expect(listPage(client, { prefix: '' })).rejects.toMatchObject({ kind: 'transient', code: 'SlowDown' });
      expect(server.requests()).toBe(3);
    } finally {
      await server.close();
    }
  });

  it('retries a transient failure per request and per activity on a worker, at most (maxErrorRetries + 1)^2 requests', async () => {
    const server = await startFaultServer(503, 'SlowDown');
    try {
      const err = await exploreThroughTemporal(server);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      // maxErrorRetries: 2 means three activity attempts, each making three attempts of its request.
      expect(server.requests()).toBe(9);
    } finally {
      await server.close();
    }
  });

  it('fails at once on AccessDenied, naming the missing permission', async () => {
    const server = await startFaultServer(403, 'AccessDenied');
    try {
      const err = (await exploreThroughTemporal(server)) as WorkflowFailedError;
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(server.requests()).toBe(1);
      const cause = (err.cause as { cause?: { message?: string } }).cause;
      expect(cause?.message).toContain('The credentials lack s3:ListBucket. Fix: grant it with {"Action":["s3:ListBucket"]');
    } finally {
      await server.close();
    }
  });
});
