import { createConnection, createServer, type Server } from 'node:net';
import { createSourceClient } from '../../s3/client';
import { listPage } from '../../s3/list';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { createBucket, putObjects } from '../harness/minio-admin';
import { testEnv } from '../harness/test-env';

/** A TCP relay in front of MinIO that records how many client connections are open at once. */
async function countingRelay(target: URL): Promise<{ port: number; maxOpen: () => number; total: () => number; server: Server }> {
  let open = 0;
  let max = 0;
  let total = 0;
  const server = createServer((client) => {
    open += 1;
    total += 1;
    max = Math.max(max, open);
    const upstream = createConnection(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    const close = () => { client.destroy(); upstream.destroy(); };
    client.on('close', () => { open -= 1; close(); });
    upstream.on('error', close);
    client.on('error', close);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, maxOpen: () => max, total: () => total, server };
}

describe('maxConnections', () => {
  it('caps the open connections to the store and reuses them for later requests', async () => {
    Object.assign(process.env, rootKeyEnv());
    const bucket = await createBucket('pool');
    await putObjects(bucket, [{ key: 'a', body: 'a' }]);
    const relay = await countingRelay(new URL(testEnv().minio.endpoint));
    try {
      const source = config({ sources: { src: minioSource(bucket, { endpoint: `http://127.0.0.1:${relay.port}`, maxConnections: 3 }) } }).sources.src!;
      const client = createSourceClient('src', source);
      await Promise.all(Array.from({ length: 30 }, () => listPage(client, { prefix: '' })));
      expect(relay.maxOpen()).toBe(3);
      await Promise.all(Array.from({ length: 30 }, () => listPage(client, { prefix: '' })));
      // Keep-alive: the second wave reuses the pooled connections.
      expect(relay.total()).toBe(3);
    } finally {
      relay.server.close();
    }
  });
});
