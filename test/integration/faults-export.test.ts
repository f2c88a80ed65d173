/**
 * An export through the fault proxy (issue 16): PUTs (whole objects and parts) reset after the
 * store took them, and requests of every kind answered 503 SlowDown, cost retries of single
 * files or parts; every file lands once with its exact bytes and no multipart upload is left open.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progressQuery, type ExportProgress } from '../../shared/temporal-contract';
import type { ExportResult } from '../../workflows/export-types';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { commitFixture } from '../harness/dataset-fixture';
import { exportArgs, listKeys, objectSha256, openUploads } from '../harness/export-runner';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy';
import { createBucket } from '../harness/minio-admin';
import { temporalClient } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const MiB = 1024 * 1024;

describe('an export through a network that resets and a store that throttles', () => {
  let outBucket: string;
  let storeRoot: string;
  let t: Awaited<ReturnType<typeof temporalClient>>;
  let proxy: FaultProxy | undefined;
  const files = [
    ...Array.from({ length: 200 }, (_, i) => ({ path: `small/${String(i).padStart(3, '0')}.bin`, body: randomBytes(300 + (i * 53) % 4000) })),
    // Three parts of 5 MiB, 5 MiB and 2 MiB.
    { path: 'large/twelve.bin', body: randomBytes(12 * MiB) },
  ];

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
    outBucket = await createBucket('faults-export');
    storeRoot = mkdtempSync(join(tmpdir(), 'faults-export-store-'));
    await commitFixture(storeRoot, 'mixed', files);
  });
  afterAll(async () => {
    await proxy?.close();
    await t.close();
    rmSync(storeRoot, { recursive: true, force: true });
  });

  it('exports 200 small files and a 12 MiB multipart file with 5% of PUTs reset and 10% of requests throttled, each written once byte-exact, no upload left open', async () => {
    // A reset PUT was forwarded whole: the store has the object (or part), its writer saw ECONNRESET.
    // Seed 283 also resets the first PUT of the large file's part 2 (the retried upload resumes
    // with parts 1 and 3 done) and throttles its CompleteMultipartUpload (the SDK retries it).
    const p = (proxy = await startFaultProxy(testEnv().minio.endpoint, {
      seed: 283,
      faults: {
        put: { reset: { rate: 0.05 }, slowDown: { rate: 0.1, retryAfterSeconds: 1 } },
        all: { slowDown: { rate: 0.1 } },
      },
    }));
    const cfg = config({
      datasetStore: storeRoot,
      sources: { out: minioSource(outBucket, { endpoint: p.endpoint, url: `s3://${outBucket}/out/`, maxConnections: 16, exports: { enabled: true } }) },
      exports: { all: { dataset: 'mixed', source: 'out', multipartThresholdBytes: 8 * MiB, partSizeBytes: 5 * MiB } },
    });
    const workflowId = `faults-export-${Math.random().toString(36).slice(2)}`;
    const { result, progress } = await withWorker(cfg, async (taskQueue) => {
      const result = await t.client.workflow.execute('fileExport', { taskQueue, workflowId, args: exportArgs(cfg, 'all') }) as ExportResult;
      return { result, progress: await t.client.workflow.getHandle(workflowId).query(progressQuery) as ExportProgress };
    });

    expect(result).toMatchObject({ status: 'completed', filesExported: 201, bytes: files.reduce((n, f) => n + f.body.length, 0) });
    // Every file once under its key, nothing else; read back from MinIO directly, not through the proxy.
    expect(await listKeys(outBucket)).toEqual(files.map((f) => `out/${f.path}`).sort());
    for (const f of files) expect({ path: f.path, sha256: await objectSha256(outBucket, `out/${f.path}`) }).toEqual({ path: f.path, sha256: sha(f.body) });
    expect(await openUploads(outBucket)).toEqual([]);

    const { faults } = p.stats();
    expect(faults.put.reset).toBeGreaterThan(3);
    expect(faults.put.slowDown).toBeGreaterThan(5);
    // The large file went up in three parts; part 2, reset and then throttled, was sent twice
    // more, the others once; its completion, throttled once, was sent again.
    const large = p.requests.filter((r) => r.path.endsWith('/large/twelve.bin'));
    const partPuts = large.filter((r) => r.kind === 'put').map((r) => `${new URLSearchParams(r.query).get('partNumber')}${r.faults.map((f) => ` ${f}`).join('')}`);
    expect(partPuts.sort()).toEqual(['1', '2', '2 reset', '2 slowDown', '3']);
    // Each retry of the upload resumed it: it asked the store which parts it had (ListParts).
    expect(large.filter((r) => new URLSearchParams(r.query).get('x-id') === 'ListParts')).toHaveLength(2);
    const completes = large.filter((r) => r.method === 'POST' && new URLSearchParams(r.query).has('uploadId'));
    expect(completes.map((r) => r.faults)).toEqual([['slowDown'], []]);
    expect(progress).toMatchObject({ phase: 'done', filesExported: 201, concurrency: { max: 16 } });
    // Each reset or throttled PUT cost one retry of its file (the SDK retried the completion itself).
    expect(progress.retries).toBe(faults.put.reset + faults.put.slowDown);
  });
});
