import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import { putObject } from '../../exports/put-object';
import type { UploadTarget } from '../../exports/s3-calls';
import { createSourceClient } from '../../s3/client';
import type { S3OperationError } from '../../s3/errors';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { commitFixture } from '../harness/dataset-fixture';
import { listKeys, runExportJob } from '../harness/export-runner';
import { adminS3, createBucket } from '../harness/minio-admin';
import { temporalClient } from '../harness/sync-runner';

const MiB = 1024 ** 2;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const failure = async (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (err: unknown) => err as S3OperationError);

/** The stored object's bytes and the SHA-256 checksum the store keeps for it. */
async function stored(bucket: string, key: string): Promise<{ bytes: Buffer; checksum?: string }> {
  const out = await adminS3().send(new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
  return { bytes: Buffer.from(await out.Body!.transformToByteArray()), checksum: out.ChecksumSHA256 };
}

const absent = (bucket: string, key: string) => listKeys(bucket, key).then((keys) => expect(keys).toEqual([]));

describe('exports of files above the small-put size, streamed on the lean PUT path', () => {
  let bucket: string;
  let dir: string;
  const data = randomBytes(6 * MiB + 7);
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('lean-put');
    dir = mkdtempSync(join(tmpdir(), 'lean-put-'));
  });

  /** An upload of `bytes` (written to a file) recorded as `recorded`, through the local path or only a stream. */
  function target(name: string, bytes: Buffer, recorded = { size: data.length, sha256: sha(data) }, local = true): UploadTarget {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const client = createSourceClient('out', config({ sources: { out: minioSource(bucket, { exports: { enabled: true } }) } }).sources.out!);
    return { client, key: `put/${name}`, ...recorded, open: async () => createReadStream(path), localPath: local ? path : undefined };
  }

  it('stores the file byte for byte with its SHA-256 checksum, verified by the store\'s checksum, from a local file and from a stream', async () => {
    let counted = 0;
    for (const [name, local] of [['local.bin', true], ['stream.bin', false]] as const) {
      const uploaded = await putObject(target(name, data, undefined, local), (n) => { counted += n; });
      expect(uploaded).toMatchObject({ key: `put/${name}`, size: data.length, verifiedBy: 'sha256', etag: expect.stringMatching(/^"[0-9a-f]{32}"$/) });
      const object = await stored(bucket, `put/${name}`);
      expect(object.bytes.equals(data)).toBe(true);
      expect(object.checksum).toBe(createHash('sha256').update(data).digest('base64'));
    }
    expect(counted).toBe(2 * data.length);
  });

  it('fails with DatasetFileDamaged (permanent) when one byte of the dataset file differs from its recorded SHA-256; the store refused it and holds nothing', async () => {
    const damaged = Buffer.from(data);
    damaged.writeUInt8(damaged.readUInt8(4 * MiB) ^ 1, 4 * MiB);
    for (const local of [true, false]) {
      const err = await failure(putObject(target(`damaged-${local}.bin`, damaged, undefined, local), () => undefined));
      expect(err).toMatchObject({ kind: 'permanent', code: 'DatasetFileDamaged' });
      expect(err.message).toBe(`the dataset file for put/damaged-${local}.bin does not match its recorded SHA-256 ${sha(data)} (read ${sha(damaged)}, ${data.length} bytes); it was not exported. Fix: re-run the sync that landed it.`);
      await absent(bucket, `put/damaged-${local}.bin`);
    }
  });

  it('fails with DatasetFileDamaged when the dataset file is shorter or longer than recorded, and stores nothing', async () => {
    for (const [name, bytes] of [['short.bin', data.subarray(0, 5 * MiB)], ['long.bin', Buffer.concat([data, Buffer.from('tail')])]] as const) {
      const err = await failure(putObject(target(name, bytes), () => undefined));
      expect(err).toMatchObject({ kind: 'permanent', code: 'DatasetFileDamaged' });
      expect(err.message).toContain(`(read ${sha(bytes)}, ${bytes.length} bytes)`);
      await absent(bucket, `put/${name}`);
    }
  });

  it('fails as transient (retried) when the store refuses the bytes sent but the dataset file, hashed again, matches its record: they changed on the way', async () => {
    const damaged = Buffer.from(data);
    damaged.writeUInt8(damaged.readUInt8(MiB) ^ 1, MiB);
    const t = target('flaky.bin', data, undefined, false);
    let reads = 0;
    const open = t.open;
    t.open = async () => (reads++ === 0 ? Readable.from([damaged]) : open());
    const err = await failure(putObject(t, () => undefined));
    expect(err).toMatchObject({ kind: 'transient', code: 'XAmzContentSHA256Mismatch', status: 400 });
    expect(err.message).toContain('The dataset file matches its recorded SHA-256, so the bytes changed on the way to the store; the upload is retried.');
    await absent(bucket, 'put/flaky.bin');
  });

  it('exports a dataset of medium files and fails the export, without retrying, once a file is damaged in the dataset store', async () => {
    const t = await temporalClient();
    try {
      const storeRoot = mkdtempSync(join(tmpdir(), 'lean-put-store-'));
      await commitFixture(storeRoot, 'medium', [{ path: 'm/a.bin', body: data }, { path: 'm/b.bin', body: data.subarray(MiB) }, { path: 'm/c.txt', body: 'small\n' }]);
      const raw = (prefix: string) => ({
        datasetStore: storeRoot, sources: { out: minioSource(bucket, { url: `s3://${bucket}/export/`, exports: { enabled: true } }) },
        exports: { medium: { dataset: 'medium', source: 'out', pathPrefix: prefix } },
      });
      const cfg = config(raw('ok/'));
      await withWorker(cfg, (q) => expect(runExportJob(t.client, cfg, 'medium', q)).resolves.toMatchObject({ filesExported: 3, bytes: 2 * data.length - MiB + 6 }));
      expect((await stored(bucket, 'export/ok/m/a.bin')).bytes.equals(data)).toBe(true);
      expect((await stored(bucket, 'export/ok/m/b.bin')).bytes.equals(data.subarray(MiB))).toBe(true);
      expect((await stored(bucket, 'export/ok/m/c.txt')).bytes.toString()).toBe('small\n');

      // Damage a.bin's blob: cut its last byte.
      const blobs = join(storeRoot, 'medium', 'blobs');
      const blob = readdirSync(blobs, { recursive: true, encoding: 'utf8' }).map((p) => join(blobs, p)).find((p) => statSync(p).isFile() && statSync(p).size === data.length)!;
      truncateSync(blob, data.length - 1);
      const bad = config(raw('bad/'));
      const err = await withWorker(bad, (q) => runExportJob(t.client, bad, 'medium', q).then(() => undefined, (e: unknown) => e));
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(err).toMatchObject({ cause: { cause: { type: 'DatasetFileDamaged', nonRetryable: true, message: expect.stringContaining('the dataset file for export/bad/m/a.bin does not match its recorded SHA-256') } } });
      await absent(bucket, 'export/bad/m/a.bin');
    } finally {
      await t.close();
    }
  });
});
