import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { adminS3, createBucket } from '../harness/minio-admin';
import { putObjectsAsArchives } from '../harness/bulk-upload';
import { minioSource, rootKeyEnv, writeConfigFile } from '../harness/connector';
import { recordFigure } from '../harness/figures';
import { localDataset, temporalClient } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';
import { peakRssBytes, startWorkerProcess } from '../harness/worker-process';
import type { SyncResult } from '../../workflows/sync-types';

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const body = (i: number) => `scale object ${i} ${sha(String(i))}\n`;

/** Runs job `job` of `raw` on a fresh worker process; returns the result, seconds taken and the worker's peak RSS. */
async function runOnWorkerProcess(raw: object, job: string): Promise<{ result: SyncResult; seconds: number; peakRss: number }> {
  const taskQueue = `scale-${Date.now()}`;
  const worker = await startWorkerProcess(writeConfigFile(raw), testEnv().temporalAddress, taskQueue);
  const t = await temporalClient();
  try {
    const started = Date.now();
    const result = await t.client.workflow.execute<(...a: unknown[]) => Promise<SyncResult>>('bulkImport', {
      taskQueue, workflowId: `bulkImport/${job}-${Date.now()}`, args: [{ job, source: 'src', dataset: job, maxErrorRetries: 3 }],
    });
    return { result, seconds: (Date.now() - started) / 1000, peakRss: peakRssBytes(worker.child.pid!) };
  } finally {
    await worker.stop('SIGTERM');
    await t.close();
  }
}

describe('sync at scale', () => {
  beforeAll(() => Object.assign(process.env, rootKeyEnv()));

  it('imports 10,000 objects, each verified by its content hash', async () => {
    const bucket = await createBucket('scale');
    const count = 10_000;
    await putObjectsAsArchives(bucket, Array.from({ length: count }, (_, i) => ({ key: `many/${String(i).padStart(5, '0')}.txt`, body: body(i) })));
    const storeRoot = mkdtempSync(join(tmpdir(), 'scale-store-'));
    const raw = { datasetStore: storeRoot, sources: { src: minioSource(bucket) }, syncs: { many: { source: 'src', subfolder: 'many/', dataset: 'many', mode: 'bulk' } } };
    const { result, seconds } = await runOnWorkerProcess(raw, 'many');
    expect(result).toMatchObject({ transaction: 1, filesAdded: count, filesSkipped: 0 });
    recordFigure('bulk import of 10,000 small objects', count / seconds, 'objects/s');
    const view = await localDataset(storeRoot, 'many').view();
    expect(view.size).toBe(count);
    for (const [path, entry] of view) {
      const i = Number(/(\d+)\.txt$/.exec(path)![1]);
      expect(entry.sha256).toBe(sha(body(i)));
      // The blob on disk holds exactly those bytes.
      expect(entry.blob.endsWith(entry.sha256)).toBe(true);
    }
  });

  it('streams a 1 GiB object while the worker\'s memory stays far below the object\'s size', async () => {
    const bucket = await createBucket('big');
    const size = 1024 ** 3;
    const hash = createHash('sha256');
    let produced = 0;
    const source = new Readable({
      read() {
        if (produced >= size) return this.push(null);
        const chunk = randomBytes(Math.min(1 << 20, size - produced));
        produced += chunk.length;
        hash.update(chunk);
        this.push(chunk);
      },
    });
    await new Upload({ client: adminS3(), params: { Bucket: bucket, Key: 'big/one.bin', Body: source }, partSize: 16 << 20, queueSize: 4 }).done();
    const expected = hash.digest('hex');
    const storeRoot = mkdtempSync(join(tmpdir(), 'big-store-'));
    // A gibibyte per run: removed even when an assertion fails, or /tmp fills up across runs.
    try {
      const raw = { datasetStore: storeRoot, sources: { src: minioSource(bucket) }, syncs: { big: { source: 'src', dataset: 'big', mode: 'bulk' } } };
      const { result, seconds, peakRss } = await runOnWorkerProcess(raw, 'big');
      expect(result).toMatchObject({ transaction: 1, filesAdded: 1, bytes: size });
      recordFigure('bulk import of one 1 GiB object', size / 1e6 / seconds, 'MB/s');
      recordFigure('worker peak RSS while copying 1 GiB', peakRss / 2 ** 20, 'MiB');
      expect(peakRss).toBeLessThan(384 * 2 ** 20);
      const entry = (await localDataset(storeRoot, 'big').view()).get('big/one.bin')!;
      // lib-storage uploads 16 MiB parts with CRC32 checksums, combined as a composite one: checked part by part.
      expect(entry).toMatchObject({ sha256: expected, size, verifiedBy: 'composite-crc32' });
      // Re-hash what landed: the blob holds the object's bytes.
      const landed = createHash('sha256');
      for await (const chunk of createReadStream(join(storeRoot, ...entry.blob.split('/')))) landed.update(chunk as Buffer);
      expect(landed.digest('hex')).toBe(expected);
    } finally {
      rmSync(storeRoot, { recursive: true, force: true });
    }
  });
});
