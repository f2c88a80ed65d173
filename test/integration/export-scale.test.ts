import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { minioSource, rootKeyEnv, writeConfigFile } from '../harness/connector';
import { commitFixture } from '../harness/dataset-fixture';
import { listKeys, objectSha256, openUploads } from '../harness/export-runner';
import { recordFigure } from '../harness/figures';
import { createBucket } from '../harness/minio-admin';
import { temporalClient } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';
import { peakRssBytes, startWorkerProcess } from '../harness/worker-process';
import type { ExportResult } from '../../workflows/export-types';

const sha = (data: string) => createHash('sha256').update(data).digest('hex');

/** Runs export job `job` of `raw` on a fresh worker process; returns the result, seconds taken and the worker's peak RSS. */
async function runOnWorkerProcess(raw: { exports: Record<string, { dataset: string; source: string }> }, job: string) {
  const taskQueue = `exp-scale-${Date.now()}`;
  const worker = await startWorkerProcess(writeConfigFile(raw), testEnv().temporalAddress, taskQueue);
  const t = await temporalClient();
  try {
    const started = Date.now();
    const exp = raw.exports[job]!;
    const result = await t.client.workflow.execute<(...a: unknown[]) => Promise<ExportResult>>('fileExport', {
      taskQueue, workflowId: `fileExport/${job}-${Date.now()}`, args: [{ job, source: exp.source, dataset: exp.dataset, maxErrorRetries: 3 }],
    });
    return { result, seconds: (Date.now() - started) / 1000, peakRss: peakRssBytes(worker.child.pid!) };
  } finally {
    await worker.stop('SIGTERM');
    await t.close();
  }
}

describe('exports at scale', () => {
  beforeAll(() => Object.assign(process.env, rootKeyEnv()));

  it('exports 10,000 small files, each to its own key', async () => {
    const bucket = await createBucket('exp-many');
    const storeRoot = mkdtempSync(join(tmpdir(), 'exp-many-store-'));
    const count = 10_000;
    const body = (i: number) => `export object ${i} ${sha(String(i))}\n`;
    await commitFixture(storeRoot, 'many', Array.from({ length: count }, (_, i) => ({ path: `many/${String(i).padStart(5, '0')}.txt`, body: body(i) })));
    const raw = { datasetStore: storeRoot, sources: { out: minioSource(bucket, { exports: { enabled: true } }) },
      exports: { many: { dataset: 'many', source: 'out', pathPrefix: 'x' } } };
    const { result, seconds } = await runOnWorkerProcess(raw, 'many');
    expect(result).toMatchObject({ status: 'completed', filesExported: count });
    recordFigure('export of 10,000 small files', count / seconds, 'objects/s');
    const keys = await listKeys(bucket);
    expect(keys.length).toBe(count);
    expect(keys[1234]).toBe('x/many/01234.txt');
    expect(await objectSha256(bucket, 'x/many/01234.txt')).toBe(sha(body(1234)));
  });

  it('exports a 1 GiB file in verified multipart parts with the worker\'s memory far below the file\'s size', async () => {
    const bucket = await createBucket('exp-gib');
    const storeRoot = mkdtempSync(join(tmpdir(), 'exp-gib-store-'));
    // A gibibyte per run: removed even when an assertion fails, or /tmp fills up across runs.
    try {
      const size = 1024 ** 3;
      const hash = createHash('sha256');
      let produced = 0;
      const stream = () => new Readable({
        read() {
          if (produced >= size) return this.push(null);
          const chunk = randomBytes(Math.min(1 << 20, size - produced));
          produced += chunk.length;
          hash.update(chunk);
          this.push(chunk);
        },
      });
      await commitFixture(storeRoot, 'gib', [{ path: 'one.bin', body: stream }]);
      const expected = hash.digest('hex');
      const raw = { datasetStore: storeRoot, sources: { out: minioSource(bucket, { exports: { enabled: true } }) },
        exports: { gib: { dataset: 'gib', source: 'out' } } };
      const { result, seconds, peakRss } = await runOnWorkerProcess(raw, 'gib');
      expect(result).toMatchObject({ status: 'completed', filesExported: 1, bytes: size });
      recordFigure('export of one 1 GiB file', size / 1e6 / seconds, 'MB/s');
      recordFigure('worker peak RSS while exporting 1 GiB (64 MiB parts)', peakRss / 2 ** 20, 'MiB');
      expect(peakRss).toBeLessThan(size / 2);
      expect(await objectSha256(bucket, 'one.bin')).toBe(expected);
      expect(await openUploads(bucket)).toEqual([]);
    } finally {
      rmSync(storeRoot, { recursive: true, force: true });
    }
  });
});
