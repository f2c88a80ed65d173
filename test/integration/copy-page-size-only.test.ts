import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand, type CompletedPart } from '@aws-sdk/client-s3';
import { localBackend } from '../../datasets/local-backend';
import { ConcurrencyRegistry } from '../../s3/adaptive-concurrency';
import { createSourceRegistry } from '../../s3/source-registry';
import { copyPage } from '../../syncs/copy-page';
import { planPage } from '../../syncs/plan-page';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { adminS3, createBucket } from '../harness/minio-admin';
import { testEnv } from '../harness/test-env';

const MiB = 1024 * 1024;

/**
 * A proxy in front of MinIO answering as a store that ignores `partNumber` on HEAD: the reply
 * keeps its headers but x-amz-mp-parts-count, so a multipart object's parts cannot be learnt.
 */
async function startPartsBlindProxy(target: string): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (reply) => {
      const headers = { ...reply.headers };
      delete headers['x-amz-mp-parts-count'];
      res.writeHead(reply.statusCode ?? 502, headers);
      reply.pipe(res);
    });
    forward.on('error', (err) => res.destroy(err));
    req.pipe(forward);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  return {
    endpoint: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}

describe('a copied page counts the files verified by their size only', () => {
  it('reports verifiedBySizeOnly: the multipart objects whose parts the store does not tell, not the others', async () => {
    Object.assign(process.env, rootKeyEnv());
    const bucket = await createBucket('sizeonly');
    const s3 = adminS3({ requestChecksumCalculation: 'WHEN_REQUIRED' });
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/single.bin', Body: randomBytes(10_000) }));
    for (const key of ['in/multi-a.bin', 'in/multi-b.bin']) {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      const parts: CompletedPart[] = [];
      for (const [i, size] of [5 * MiB, 1000].entries()) {
        const { ETag } = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: randomBytes(size) }));
        parts.push({ PartNumber: i + 1, ETag });
      }
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
    }
    const proxy = await startPartsBlindProxy(testEnv().minio.endpoint);
    const storeRoot = mkdtempSync(join(tmpdir(), 'size-only-store-'));
    try {
      const cfg = config({ datasetStore: storeRoot, sources: { src: minioSource(bucket, { endpoint: proxy.endpoint }) },
        syncs: { job: { source: 'src', subfolder: 'in/', dataset: 'ds', mode: 'bulk' } } });
      const deps = { config: cfg, sources: createSourceRegistry(cfg), store: localBackend(storeRoot), concurrency: new ConcurrencyRegistry() };
      const runKey = `run-${Date.now()}`;
      await planPage(deps, { job: 'job', runKey, page: 0, startedAt: Date.now() });
      const result = await copyPage(deps, { job: 'job', runKey, page: 0 });
      expect(result).toMatchObject({ files: 3, verifiedBySizeOnly: 2 });
    } finally {
      await proxy.close();
      rmSync(storeRoot, { recursive: true, force: true });
    }
  });
});
