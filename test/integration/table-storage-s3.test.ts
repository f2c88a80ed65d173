/**
 * The S3 table storage (tables/storage-s3.ts) against the real MinIO: delta-kernel-rs golden
 * tables uploaded below a source's prefix read through S3 exactly as from their local folders
 * (snapshot, files, rows, time travel, Change Data Feed, byte ranges), absolute paths followed
 * only inside the table's root, missing objects and denied requests reported by kind.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3OperationError } from '../../s3/errors';
import { createSourceClient, type SourceClient } from '../../s3/client';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { filesOf, goldenTable } from '../harness/delta-fixtures';
import { createBucket, createUser, putObjects } from '../harness/minio-admin';
import { add, metadata, protocol } from '../harness/delta-synthetic';
import {
  loadDeltaSnapshot, readDeltaChanges, scanDeltaFiles, type DeltaRow, type DeltaSnapshot,
} from '../../tables/delta';
import { LocalTableStorage } from '../../tables/storage-local';
import { S3TableStorage } from '../../tables/storage-s3';
import { TableObjectNotFoundError, TableOutsideRootError, type TableStorage } from '../../tables/storage';

/** A snapshot without what differs between copies: commit and file times. */
function comparable(snapshot: DeltaSnapshot): unknown {
  const { files, ...rest } = snapshot;
  return { ...rest, commitTimestamp: undefined, files: files.map(({ modificationTime: _m, ...f }) => f) };
}

async function rowsOf(storage: TableStorage, options: { version?: number } = {}): Promise<{ snapshot: DeltaSnapshot; rows: DeltaRow[] }> {
  const snapshot = await loadDeltaSnapshot(storage, options);
  const rows: DeltaRow[] = [];
  for await (const batch of scanDeltaFiles(storage, snapshot, snapshot.files)) rows.push(...batch.rows);
  return { snapshot, rows };
}

async function changesOf(storage: TableStorage, since: number): Promise<DeltaRow[]> {
  const rows: DeltaRow[] = [];
  for await (const batch of readDeltaChanges(storage, { since })) {
    rows.push(...batch.rows.map(({ _commit_timestamp: _t, ...row }) => row));
  }
  return rows;
}

/** The table deltalake wrote for the CDF tests (test/fixtures/deltalake-cdf). */
const DELTALAKE_TABLE = join(__dirname, '..', 'fixtures', 'deltalake-cdf', 'table');

const TABLES = [
  'table-with-dv-small', 'basic_partitioned', 'timestamp-partitioned-table', 'v2-checkpoints-parquet-with-sidecars',
  'v2-classic-checkpoint-parquet', 'app-txn-checkpoint', 'cdf-column-mapping-id-mode', 'cdf-table-with-cdc-and-dvs', 'cdf-table-partitioned',
];

describe('Delta tables read through S3 (MinIO)', () => {
  let bucket: string;
  let client: SourceClient;

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('tables3');
    client = createSourceClient('lake', config({ sources: { lake: minioSource(bucket, { url: `s3://${bucket}/warehouse/` }) } }).sources.lake!);
    await putObjects(bucket, TABLES.flatMap((t) => filesOf(goldenTable(t), `warehouse/golden/${t}/`)), 16);
    await putObjects(bucket, filesOf(DELTALAKE_TABLE, 'warehouse/deltalake/cdf/'), 16);
  });

  test('a table written by deltalake (delta-rs): snapshot, rows and Change Data Feed through S3 are those of the local folder', async () => {
    const local = new LocalTableStorage(DELTALAKE_TABLE);
    const s3 = new S3TableStorage(client, 'deltalake/cdf/');
    const [l, r] = [await rowsOf(local), await rowsOf(s3)];
    expect(comparable(r.snapshot)).toEqual(comparable(l.snapshot));
    expect(r.rows).toEqual(l.rows);
    const changes = await changesOf(s3, 0);
    expect(changes).toHaveLength(33);
    expect(changes).toEqual(await changesOf(local, 0));
  });

  test.each(TABLES)('%s: the snapshot, its files and its rows are those of the local folder', async (table) => {
    const local = await rowsOf(new LocalTableStorage(goldenTable(table)));
    const s3 = new S3TableStorage(client, `golden/${table}/`);
    expect(s3.location).toBe(`s3://${bucket}/warehouse/golden/${table}/`);
    const remote = await rowsOf(s3);
    expect(comparable(remote.snapshot)).toEqual(comparable(local.snapshot));
    expect(remote.snapshot.files.length).toBeGreaterThan(0);
    expect(remote.rows).toEqual(local.rows);
  });

  test('time travel by version reads the same older snapshot and rows', async () => {
    const table = 'cdf-table-with-cdc-and-dvs';
    for (const version of [0, 9, 18]) {
      const local = await rowsOf(new LocalTableStorage(goldenTable(table)), { version });
      const remote = await rowsOf(new S3TableStorage(client, `golden/${table}`), { version });
      expect(remote.snapshot.version).toBe(version);
      expect(comparable(remote.snapshot)).toEqual(comparable(local.snapshot));
      expect(remote.rows).toEqual(local.rows);
    }
  });

  test.each([['cdf-table-with-cdc-and-dvs', 0], ['cdf-table-partitioned', 0], ['cdf-column-mapping-id-mode', 1]] as const)(
    '%s: the Change Data Feed from version %s is the local one, row for row', async (table, since) => {
      const local = await changesOf(new LocalTableStorage(goldenTable(table)), since);
      const remote = await changesOf(new S3TableStorage(client, `golden/${table}/`), since);
      expect(local.length).toBeGreaterThan(0);
      expect(remote).toEqual(local);
    });

  test('byte ranges, listings after a key and missing objects', async () => {
    const table = 'table-with-dv-small';
    const s3 = new S3TableStorage(client, `golden/${table}/`);
    const local = new LocalTableStorage(goldenTable(table));
    const listed = [];
    for await (const o of s3.list('')) listed.push(o);
    const localListed = [];
    for await (const o of local.list('')) localListed.push(o);
    expect(listed.map((o) => [o.key, o.size])).toEqual(localListed.map((o) => [o.key, o.size]));
    const data = listed.find((o) => o.key.endsWith('.parquet'))!;
    expect(await s3.read(data.key)).toEqual(await local.read(data.key));
    expect(await s3.readRange(data.key, 4, 40)).toEqual(await local.readRange(data.key, 4, 40));
    expect(await s3.readRange(data.key, data.size - 8, data.size)).toEqual(await local.readRange(data.key, data.size - 8, data.size));
    expect(await s3.readRange(data.key, 10, 10)).toEqual(new Uint8Array(0));
    const after = [];
    for await (const o of s3.list('_delta_log/', { startAfter: '_delta_log/00000000000000000000.json' })) after.push(o.key);
    expect(after).toEqual(['_delta_log/00000000000000000001.json']);
    await expect(s3.read('_delta_log/_last_checkpoint')).rejects.toBeInstanceOf(TableObjectNotFoundError);
    await expect(s3.readRange('nothing.parquet', 0, 4)).rejects.toBeInstanceOf(TableObjectNotFoundError);
    await expect(s3.read('../other/x')).rejects.toBeInstanceOf(TableOutsideRootError);
  });

  test('absolute URIs: s3:// and s3a:// of the same bucket below the root (percent-decoded) are keys; anything else is refused', () => {
    const s3 = new S3TableStorage(client, 'golden/t/');
    expect(s3.keyOfUri(`s3://${bucket}/warehouse/golden/t/part-0.parquet`)).toBe('part-0.parquet');
    expect(s3.keyOfUri(`s3a://${bucket}/warehouse/golden/t/p%3D1/a%20b.parquet`)).toBe('p=1/a b.parquet');
    for (const uri of [
      `s3://other-bucket/warehouse/golden/t/part-0.parquet`, `s3://${bucket}/warehouse/golden/u/part-0.parquet`,
      `s3://${bucket}/warehouse/golden/t`, `s3://${bucket}/warehouse/golden/t/`, `s3://${bucket}/warehouse/golden/t/../u/x.parquet`,
      `s3://${bucket}/warehouse/golden/t/%2E%2E/u/x.parquet`, `s3://${bucket}/warehouse/golden/tt/x.parquet`,
      `file:///warehouse/golden/t/x.parquet`, `gs://${bucket}/warehouse/golden/t/x.parquet`, `s3://${bucket}/warehouse/golden/t/%zz`,
    ]) {
      expect(() => s3.keyOfUri(uri)).toThrow(TableOutsideRootError);
    }
  });

  test('a table whose log names a data file by an absolute path: inside the root it is read, outside it is refused', async () => {
    const golden = goldenTable('table-with-dv-small');
    const dataFile = readdirSync(golden).find((n) => n.endsWith('.parquet'))!;
    const body = readFileSync(join(golden, dataFile));
    const commit = (path: string) => [protocol(), metadata(), add(path, { size: body.length })].map((a) => JSON.stringify(a)).join('\n');
    await putObjects(bucket, [
      { key: 'warehouse/abs/inside/_delta_log/00000000000000000000.json', body: commit(`s3a://${bucket}/warehouse/abs/inside/data/part%200.parquet`) },
      { key: 'warehouse/abs/inside/data/part 0.parquet', body },
      { key: 'warehouse/abs/outside/_delta_log/00000000000000000000.json', body: commit(`s3://${bucket}/warehouse/abs/inside/data/part%200.parquet`) },
    ]);
    const inside = await rowsOf(new S3TableStorage(client, 'abs/inside/'));
    expect(inside.snapshot.files.map((f) => f.key)).toEqual(['data/part 0.parquet']);
    expect(inside.rows.map((r) => r.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await expect(loadDeltaSnapshot(new S3TableStorage(client, 'abs/outside/'))).rejects.toBeInstanceOf(TableOutsideRootError);
  });

  test('a source whose credentials may not list the bucket fails with a permanent access error naming the permission', async () => {
    const keys = createUser(`tables3-${Date.now().toString(36)}`, [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] }]);
    const denied = createSourceClient('denied', config({
      sources: { denied: minioSource(bucket, { url: `s3://${bucket}/warehouse/`, credentials: { type: 'accessKey', ...keys } }) },
    }).sources.denied!);
    const s3 = new S3TableStorage(denied, 'golden/table-with-dv-small/');
    const error = await loadDeltaSnapshot(s3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3OperationError);
    expect(error).toMatchObject({ kind: 'permanent', code: 'AccessDenied', message: expect.stringContaining('s3:ListBucket') });
    // GetObject is allowed: a whole read works.
    expect((await s3.read('_delta_log/00000000000000000000.json')).length).toBeGreaterThan(0);
  });
});

describe('S3 table storage requests (a recording client, no server)', () => {
  /** A SourceClient whose SDK client answers from `reply` and records every command's input. */
  function fakeClient(reply: (input: Record<string, unknown>, name: string) => unknown): { client: SourceClient; inputs: Array<Record<string, unknown>> } {
    const inputs: Array<Record<string, unknown>> = [];
    const s3 = {
      send: (command: { input: Record<string, unknown>; constructor: { name: string } }) => {
        inputs.push(command.input);
        return Promise.resolve(reply(command.input, command.constructor.name));
      },
    };
    return { client: { bucket: 'b', prefix: 'lake/', s3 } as unknown as SourceClient, inputs };
  }

  test('a listing follows continuation tokens, sends StartAfter (a key below the root) on its first page only, and decodes url-encoded keys', async () => {
    const pages = [
      { Contents: [{ Key: 'lake/t/_delta_log/00000000000000000001.json', Size: 1, LastModified: new Date(1000) }], IsTruncated: true, NextContinuationToken: 'next', EncodingType: 'url' },
      { Contents: [{ Key: 'lake/t/_delta_log/a+b%2Bc.json', Size: 2, LastModified: new Date(2000) }], IsTruncated: false, EncodingType: 'url' },
    ];
    const { client, inputs } = fakeClient(() => pages.shift());
    const listed = [];
    for await (const o of new S3TableStorage(client, 't').list('_delta_log/', { startAfter: '_delta_log/00000000000000000000' })) listed.push(o);
    expect(listed).toEqual([
      { key: '_delta_log/00000000000000000001.json', size: 1, lastModified: 1000 },
      { key: '_delta_log/a b+c.json', size: 2, lastModified: 2000 },
    ]);
    expect(inputs).toMatchObject([
      { Bucket: 'b', Prefix: 'lake/t/_delta_log/', StartAfter: 'lake/t/_delta_log/00000000000000000000', ContinuationToken: undefined },
      { Bucket: 'b', Prefix: 'lake/t/_delta_log/', StartAfter: undefined, ContinuationToken: 'next' },
    ]);
  });

  test('a ranged read asks for the inclusive byte range; a store that ignores Range and sends the whole object still gives the range', async () => {
    const whole = Uint8Array.from({ length: 100 }, (_, i) => i);
    const body = (bytes: Uint8Array) => ({ transformToByteArray: () => Promise.resolve(bytes) });
    const honest = fakeClient(() => ({ Body: body(whole.subarray(10, 20)), ContentRange: 'bytes 10-19/100' }));
    expect(await new S3TableStorage(honest.client, 't/').readRange('x.parquet', 10, 20)).toEqual(whole.subarray(10, 20));
    expect(honest.inputs).toMatchObject([{ Bucket: 'b', Key: 'lake/t/x.parquet', Range: 'bytes=10-19' }]);
    const ignoring = fakeClient(() => ({ Body: body(whole) }));
    expect(await new S3TableStorage(ignoring.client, 't/').readRange('x.parquet', 10, 20)).toEqual(whole.subarray(10, 20));
  });

  test('a missing object is TableObjectNotFoundError; a throttled read stays a transient S3 error', async () => {
    const failing = (name: string, status: number) => fakeClient(() => {
      throw Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
    }).client;
    await expect(new S3TableStorage(failing('NoSuchKey', 404), 't/').read('x')).rejects.toBeInstanceOf(TableObjectNotFoundError);
    await expect(new S3TableStorage(failing('SlowDown', 503), 't/').read('x')).rejects.toMatchObject({ name: 'S3OperationError', kind: 'transient', code: 'SlowDown' });
  });
});
