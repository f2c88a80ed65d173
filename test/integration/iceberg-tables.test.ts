/**
 * Iceberg tables in MinIO: written there by pyiceberg 0.12.0 (SqlCatalog on sqlite, S3 FileIO on
 * the test run's MinIO; scripts/fixtures/make_iceberg_tables.py), then read by s3-connector
 * through S3 (S3TableStorage) and through the CLI (`tables register/schema/history/read` of
 * virtualTables with location:), every snapshot row for row against pyiceberg's reading of it
 * (a table's equality-delete snapshots, which pyiceberg refuses to read, against the rows the
 * fixture script computes by the specification's rules).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { jsonLines } from '../harness/cli-output';
import { createBucket } from '../harness/minio-admin';
import { testEnv } from '../harness/test-env';
import { openTable, readTableLines } from '../../tables/registry-ops';
import { createSourceRegistry } from '../../s3/source-registry';
import { parseJsonLineExact } from '../../tables/serialize';

interface ExpectedTable {
  location: string;
  currentSnapshotId: string;
  snapshots: Array<{ id: string; timestampMs: number; operation: string; sequenceNumber: number; rows: string }>;
  refs: Record<string, { snapshotId: string; type: string; rows: string }>;
  current: string;
}

const root = resolve(__dirname, '..', '..');
const linesOf = (text: string) => text.split('\n').filter((l) => l !== '');

/** Rows as comparable values (exact JSON parsed, 64-bit integers as bigints), sorted. */
function canonical(lines: string[]): unknown[] {
  const key = (r: unknown) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return lines.map((l) => parseJsonLineExact(l)).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

describe('Iceberg tables written by pyiceberg to MinIO', () => {
  let bucket: string;
  let out: string;
  let raw: Record<string, unknown>;
  let file: string;
  let expected: Record<string, ExpectedTable>;
  const oracle = (rel: string) => canonical(linesOf(readFileSync(join(out, rel), 'utf8')));
  const flags = (taskQueue: string) => ['--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue];

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('iceberg');
    const python = join(root, '.tools', 'venv', 'bin', 'python');
    if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
    out = mkdtempSync(join(tmpdir(), 'iceberg-s3-'));
    const { minio } = testEnv();
    execFileSync(python, [join(root, 'scripts', 'fixtures', 'make_iceberg_tables.py'), out, '--warehouse', `s3://${bucket}/wh`], {
      stdio: 'inherit',
      env: { ...process.env, S3_ENDPOINT: minio.endpoint, AWS_ACCESS_KEY_ID: minio.rootUser, AWS_SECRET_ACCESS_KEY: minio.rootPassword, AWS_REGION: 'us-east-1' },
    });
    expected = JSON.parse(readFileSync(join(out, 'expected.json'), 'utf8')) as Record<string, ExpectedTable>;
    const locationOf = (name: string) => `${(expected[name] as ExpectedTable).location.slice(`s3://${bucket}/`.length)}/`;
    raw = {
      datasetStore: mkdtempSync(join(tmpdir(), 'iceberg-store-')),
      sources: { src: minioSource(bucket) },
      virtualTables: Object.fromEntries(['evolve', 'types', 'v1', 'deletes', 'migrated', 'projected', 'promoted'].map((n) => [n, { source: 'src', format: 'iceberg', location: locationOf(n) }])),
    };
    file = writeConfigFile(raw);
  }, 180_000);

  it('reads every snapshot of every table through S3 as pyiceberg reads it, row for row', async () => {
    const cfg = config(raw);
    const sources = createSourceRegistry(cfg);
    for (const name of ['evolve', 'types', 'v1', 'deletes', 'migrated', 'projected', 'promoted']) {
      const table = openTable(cfg, sources, name);
      const t = expected[name] as ExpectedTable;
      for (const s of [...t.snapshots, { id: undefined, rows: t.current }]) {
        const lines: string[] = [];
        let header: { snapshotId?: string } = {};
        for await (const line of readTableLines(table, s.id === undefined ? {} : { snapshot: s.id }, (h) => (header = h))) lines.push(line);
        expect({ name, snapshot: s.id, rows: canonical(lines) }).toEqual({ name, snapshot: s.id, rows: oracle(s.rows) });
        expect(header.snapshotId).toBe(s.id ?? t.currentSnapshotId);
      }
    }
  });

  it('registers and previews tables on a worker, shows a schema from the store, and lists the snapshots with ids, times, operations and refs', async () => {
    const t = expected.evolve as ExpectedTable;
    const [register, history, preview] = await withWorker(config(raw), async (q) => [
      await runCli(['tables', 'register', 'evolve', '--json', ...flags(q)]),
      await runCli(['tables', 'history', 'evolve', '--json', ...flags(q)]),
      await runCli(['tables', 'preview', 'types', '--rows', '3', '--json', ...flags(q)]),
    ]);
    expect(preview.code).toBe(0);
    const [head, ...previewed] = linesOf(preview.stdout);
    expect(JSON.parse(head!)).toMatchObject({ type: 'preview', table: 'types' });
    expect(previewed).toHaveLength(3);
    const allTypes = oracle((expected.types as ExpectedTable).current);
    for (const row of canonical(previewed)) expect(allTypes).toContainEqual(row);
    expect(register.stderr).toBe('');
    expect(register.code).toBe(0);
    const [record] = jsonLines(register.stdout);
    expect(record).toMatchObject({
      type: 'table', name: 'evolve', format: 'iceberg', snapshotId: t.currentSnapshotId, partitionColumns: ['category'],
      schema: [
        { name: 'id', type: 'long', nullable: false }, { name: 'full_name', type: 'string', nullable: true },
        { name: 'category', type: 'string', nullable: true }, { name: 'ts', type: 'timestamp', nullable: true }, { name: 'extra', type: 'integer', nullable: true },
      ],
    });
    expect(record?.version).toBeUndefined();
    const schema = await runCli(['tables', 'schema', 'evolve', '--config', file]);
    expect(schema.code).toBe(0);
    expect(schema.stdout).toContain('full_name');

    expect(history.code).toBe(0);
    const snapshots = jsonLines(history.stdout);
    expect(snapshots.map((s) => [s.snapshotId, s.operation, s.version])).toEqual([...t.snapshots].reverse().map((s) => [s.id, s.operation, s.sequenceNumber]));
    expect(snapshots.find((s) => s.snapshotId === t.currentSnapshotId)?.refs).toEqual(['main']);
  });

  it('reads by --snapshot, --ref and --as-of and filters by --where (--explain shows the files pruned) through the CLI, and refuses --version naming --snapshot', async () => {
    const t = expected.evolve as ExpectedTable;
    const second = t.snapshots[1] as ExpectedTable['snapshots'][number];
    const bySnapshot = await runCli(['tables', 'read', 'evolve', '--direct', '--snapshot', second.id, '--config', file]);
    expect(bySnapshot.code).toBe(0);
    expect(bySnapshot.stderr).toContain(`rows of table evolve snapshot ${second.id}`);
    expect(canonical(linesOf(bySnapshot.stdout))).toEqual(oracle(second.rows));
    const byTag = await runCli(['tables', 'read', 'evolve', '--direct', '--ref', 'first', '--config', file]);
    expect(byTag.code).toBe(0);
    expect(canonical(linesOf(byTag.stdout))).toEqual(oracle((t.refs.first as { rows: string }).rows));
    const asOf = await runCli(['tables', 'read', 'evolve', '--direct', '--as-of', new Date(second.timestampMs).toISOString(), '--format', 'csv', '--config', file]);
    expect(asOf.code).toBe(0);
    expect(asOf.stderr).toContain(`snapshot ${second.id}`);
    expect(linesOf(asOf.stdout.replace(/\r/g, ''))).toHaveLength(oracle(second.rows).length + 1);
    const where = await runCli(['tables', 'read', 'evolve', '--direct', '--where', "category = 'b'", '--config', file]);
    expect(where.code).toBe(0);
    expect(canonical(linesOf(where.stdout))).toEqual(oracle(t.current).filter((r) => (r as { category: unknown }).category === 'b'));
    const explain = await runCli(['tables', 'read', 'evolve', '--direct', '--where', "category = 'b'", '--explain', '--json', '--config', file]);
    expect(explain.code).toBe(0);
    const [plan] = jsonLines(explain.stdout);
    expect(plan).toMatchObject({ type: 'explain', table: 'evolve', where: "category = 'b'" });
    expect(plan?.filesPrunedByPartition).toBeGreaterThan(0);
    expect(plan?.filesToRead).toBeGreaterThan(0);
    const version = await runCli(['tables', 'read', 'evolve', '--direct', '--version', '3', '--config', file]);
    expect(version.code).toBe(2);
    expect(version.stderr).toContain('Fix: give --snapshot ID');
    const bad = await runCli(['tables', 'read', 'evolve', '--direct', '--snapshot', '12x', '--config', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--snapshot 12x is not a snapshot id');
  });
});
