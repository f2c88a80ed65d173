/**
 * Position deletes written by a reference writer: DuckDB 1.5.5's iceberg extension, attached to
 * the test run's Apache Iceberg REST catalog server, DELETEs rows of a table pyiceberg wrote in
 * MinIO (scripts/fixtures/duckdb_iceberg_deletes.py). s3-connector reads every snapshot through
 * S3 and compares it row by row with pyiceberg's reading, which applies position deletes.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { testEnv } from '../harness/test-env';
import { createSourceRegistry } from '../../s3/source-registry';
import { openIcebergTable } from '../../tables/iceberg';
import { parseJsonLineExact, jsonLineOfRow } from '../../tables/serialize';
import { S3TableStorage } from '../../tables/storage-s3';
import type { TableRow } from '../../tables/table-reader';

interface Written {
  location: string;
  metadataLocation: string;
  snapshots: Array<{ id: string; operation: string; deleteFiles: string[]; rows: string[] }>;
}

/** Rows as comparable values (exact JSON parsed, 64-bit integers as bigints), sorted. */
function canonical(lines: string[]): unknown[] {
  const key = (r: unknown) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return lines.map((l) => parseJsonLineExact(l)).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

describe('Iceberg position deletes written by DuckDB through the REST catalog', () => {
  let written: Written;

  beforeAll(() => {
    Object.assign(process.env, rootKeyEnv());
    const { icebergRest, minio } = testEnv();
    const root = resolve(__dirname, '..', '..');
    const spec = { s3: { endpoint: minio.endpoint, key: minio.rootUser, secret: minio.rootPassword }, rest: { uri: icebergRest.uri, namespace: `dd_${Math.random().toString(36).slice(2, 8)}` } };
    const out = execFileSync(join(root, '.tools', 'venv', 'bin', 'python'), [join(root, 'scripts', 'fixtures', 'duckdb_iceberg_deletes.py'), JSON.stringify(spec)], { encoding: 'utf8' });
    written = JSON.parse(out) as Written;
  }, 120_000);

  it('reads every snapshot, before and after DuckDB\'s deletes, as pyiceberg reads it', async () => {
    const { icebergRest } = testEnv();
    const bucketUrl = `s3://${icebergRest.bucket}/`;
    expect(written.location.startsWith(bucketUrl)).toBe(true);
    const cfg = config({ sources: { lake: minioSource(icebergRest.bucket) } });
    const storage = new S3TableStorage(createSourceRegistry(cfg).get('lake'), `${written.location.slice(bucketUrl.length)}/`);
    const withDeletes = written.snapshots.filter((s) => s.deleteFiles.length > 0);
    expect(withDeletes.length).toBeGreaterThanOrEqual(2);
    for (const s of written.snapshots) {
      const table = await openIcebergTable(storage, { snapshotId: BigInt(s.id), metadataKey: storage.keyOfUri(written.metadataLocation) });
      const files = await table.files();
      expect({ snapshot: s.id, deletes: files.filter((f) => f.content === 'position-deletes').map((f) => f.path).sort() }).toEqual({ snapshot: s.id, deletes: s.deleteFiles });
      const rows: TableRow[] = [];
      for await (const batch of table.scan()) rows.push(...batch.rows);
      const expected = canonical(s.rows);
      expect({ snapshot: s.id, rows: canonical(rows.map(jsonLineOfRow)) }).toEqual({ snapshot: s.id, rows: expected });
    }
    const last = written.snapshots[written.snapshots.length - 1]!;
    expect(last.rows.length).toBeLessThan(16);
  });
});
