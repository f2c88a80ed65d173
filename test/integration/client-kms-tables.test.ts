/**
 * Tables on a clientKms source: a Delta table written by deltalake whose every file (log and
 * Parquet) was then encrypted by the Python S3 Encryption Client reads through S3 as the local
 * folder reads.
 */
import { join } from 'node:path';
import { createSourceClient } from '../../s3/client';
import { loadDeltaSnapshot, scanDeltaFiles, type DeltaRow } from '../../tables/delta';
import { LocalTableStorage } from '../../tables/storage-local';
import { S3TableStorage } from '../../tables/storage-s3';
import type { TableStorage } from '../../tables/storage';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { filesOf } from '../harness/delta-fixtures';
import { createBucket } from '../harness/minio-admin';
import { createKmsKey, s3ecPut } from '../harness/s3ec-clients';
import { testEnv } from '../harness/test-env';

/** The table deltalake wrote for the CDF tests (test/fixtures/deltalake-cdf). */
const DELTALAKE_TABLE = join(__dirname, '..', 'fixtures', 'deltalake-cdf', 'table');

async function rowsOf(storage: TableStorage): Promise<{ version: number; rows: DeltaRow[] }> {
  const snapshot = await loadDeltaSnapshot(storage, {});
  const rows: DeltaRow[] = [];
  for await (const batch of scanDeltaFiles(storage, snapshot, snapshot.files)) rows.push(...batch.rows);
  return { version: snapshot.version, rows };
}

describe('a Delta table encrypted file by file with the S3 Encryption Client', () => {
  it('reads through a clientKms source with the rows and version of its local folder', async () => {
    Object.assign(process.env, rootKeyEnv());
    const bucket = await createBucket('kmstable');
    const key = await createKmsKey('table');
    for (const file of filesOf(DELTALAKE_TABLE, 'lake/cdf/')) {
      await s3ecPut('python', { bucket, key: file.key, kmsKeyId: key.alias, format: 'committing' }, Buffer.from(file.body));
    }
    const client = createSourceClient('lake', config({ sources: { lake: minioSource(bucket, {
      region: 'us-east-1', clientKms: { keyId: key.alias, kmsEndpoint: testEnv().moto.endpoint },
    }) } }).sources.lake!);
    const local = await rowsOf(new LocalTableStorage(DELTALAKE_TABLE));
    const remote = await rowsOf(new S3TableStorage(client, 'lake/cdf/'));
    expect(local.rows.length).toBeGreaterThan(0);
    expect(remote).toEqual(local);
  }, 240_000);
});
