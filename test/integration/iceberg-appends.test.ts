/**
 * Incremental append reads and table syncs of Iceberg tables, end to end: tables written by
 * pyiceberg 0.12.0 (SqlCatalog on sqlite, warehouse on the test run's MinIO;
 * scripts/fixtures/iceberg_appends.py), read by `tables read NAME --since S [--until E]` (in the
 * CLI's process and on a real worker) and landed by `s3-connector sync JOB` of a `tableSyncs:`
 * entry on a real worker and Temporal server. Every row is compared with pyiceberg's reading:
 * `incremental_append_scan` for appends, a scan for the snapshot landed first; the landed Parquet
 * files are read back by pyarrow.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { jsonLines } from '../harness/cli-output';
import { canonical } from '../harness/iceberg-fixtures';
import { createBucket } from '../harness/minio-admin';
import { localDataset } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';
import type { TransactionRecord } from '../../datasets/types';

const root = resolve(__dirname, '..', '..');
const python = join(root, '.tools', 'venv', 'bin', 'python');

interface Range { from: string; to: string; file: string; rows: number }
interface ReadFixture { location: string; chain: string[]; labels: Record<string, string>; side: string; operations: Record<string, string>; ranges: Range[] }
interface TableState { location: string; current: string; snapshots: Array<{ id: string; parent: string | null; operation: string }>; rows: string[] }

jest.setTimeout(300_000);

describe('Iceberg tables read and synced by their appends', () => {
  let bucket: string;
  let out: string;
  let storeRoot: string;
  let raw: Record<string, unknown>;
  let file: string;
  let read: ReadFixture;
  let synced: TableState;
  let catalogued: TableState;
  const flags = (taskQueue: string) => ['--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue];

  /** Runs the fixture script and returns the JSON object it prints last. */
  function fixture<T>(...args: string[]): T {
    if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
    const { minio } = testEnv();
    const printed = execFileSync(python, [join(root, 'scripts', 'fixtures', 'iceberg_appends.py'), out, '--warehouse', `s3://${bucket}/wh`, ...args], {
      encoding: 'utf8', env: { ...process.env, S3_ENDPOINT: minio.endpoint, AWS_ACCESS_KEY_ID: minio.rootUser, AWS_SECRET_ACCESS_KEY: minio.rootPassword, AWS_REGION: 'us-east-1' },
    });
    return JSON.parse(printed.trim().split('\n').pop() as string) as T;
  }
  const label = (name: string): string => {
    const id = read.labels[name];
    if (id === undefined) throw new Error(`no snapshot labelled ${name}`);
    return id;
  };
  const oracle = (range: Range) => canonical(readFileSync(join(out, range.file), 'utf8').split('\n'));
  const folderOf = (location: string) => `${location.slice(`s3://${bucket}/`.length)}/`;
  /** pyarrow's reading of the Parquet files a transaction landed. */
  async function landedRows(record: TransactionRecord, dataset = 'synced_rows'): Promise<unknown[]> {
    const entries = await localDataset(storeRoot, dataset).transactionFiles(record);
    return canonical(fixture<{ rows: string[] }>('parquet-rows', ...entries.map((e) => join(storeRoot, e.blob))).rows);
  }

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('iceberg-appends');
    out = mkdtempSync(join(tmpdir(), 'iceberg-appends-'));
    storeRoot = mkdtempSync(join(tmpdir(), 'iceberg-appends-store-'));
    read = fixture<ReadFixture>('build-read');
    synced = fixture<TableState>('sync-create', 'synced');
    catalogued = fixture<TableState>('sync-create', 'catalogued');
    raw = {
      datasetStore: storeRoot,
      sources: { src: minioSource(bucket), cat: { ...minioSource(bucket), catalog: { type: 'files', warehousePath: 'wh/' } } },
      virtualTables: {
        appends: { source: 'src', format: 'iceberg', location: folderOf(read.location) },
        synced: { source: 'src', format: 'iceberg', location: folderOf(synced.location) },
        catalogued: { source: 'cat', format: 'iceberg', identifier: 'db.catalogued' },
      },
      tableSyncs: {
        'synced-appends': { table: 'synced', dataset: 'synced_rows', rowsPerFile: 3 },
        'catalogued-appends': { table: 'catalogued', dataset: 'catalogued_rows' },
      },
    };
    file = writeConfigFile(raw);
  }, 180_000);

  it('tables read --since --until gives pyiceberg\'s incremental_append_scan rows for every range, in the CLI and on a worker, and refuses overwrite, delete and non-ancestors by snapshot id', async () => {
    expect(read.ranges.length).toBeGreaterThanOrEqual(10);
    for (const range of read.ranges) {
      const run = await runCli(['tables', 'read', 'appends', '--since', range.from, '--until', range.to, '--direct', '--config', file]);
      expect({ range, code: run.code, stderr: run.stderr.split('\n')[0] }).toEqual({ range, code: 0, stderr: `${range.rows} row${range.rows === 1 ? '' : 's'} of table appends, the appends after snapshot ${range.from} up to snapshot ${range.to}` });
      expect({ range, rows: canonical(run.stdout.split('\n')) }).toEqual({ range, rows: oracle(range) });
    }
    const across = read.ranges.find((r) => r.from === label('a1') && r.to === label('z')) as Range;
    expect(across.rows).toBeGreaterThan(0);
    const current = read.chain[read.chain.length - 1] as string;
    await withWorker(config(raw), async (q) => {
      const onWorker = await runCli(['tables', 'read', 'appends', '--since', across.from, '--until', across.to, ...flags(q)]);
      expect(onWorker.code).toBe(0);
      expect(onWorker.stderr).toContain(`${across.rows} rows of table appends, the appends after snapshot ${across.from} up to snapshot ${across.to} (read on a worker)`);
      expect(canonical(onWorker.stdout.split('\n'))).toEqual(oracle(across));
      // The range to the current snapshot crosses the overwrite (the newest offender, met first walking back).
      const refused = await runCli(['tables', 'read', 'appends', '--since', label('a1'), ...flags(q)]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(`snapshot ${label('overwrite')} is not an append (operation overwrite)`);
      expect(refused.stdout).toBe('');
    });
    const deleted = await runCli(['tables', 'read', 'appends', '--since', label('a3'), '--until', label('a4'), '--direct', '--config', file]);
    expect(deleted.code).not.toBe(0);
    expect(deleted.stderr).toContain(`snapshot ${label('delete')} is not an append (operation delete)`);
    const sideways = await runCli(['tables', 'read', 'appends', '--since', read.side, '--direct', '--config', file]);
    expect(sideways.code).not.toBe(0);
    expect(sideways.stderr).toContain(`snapshot ${read.side} is not an ancestor of snapshot ${current}`);
    // The ids are 64-bit: one rounded to a double names no snapshot.
    const rounded = BigInt(Number(label('a2'))).toString();
    expect(rounded).not.toBe(label('a2'));
    const wrong = await runCli(['tables', 'read', 'appends', '--since', rounded, '--direct', '--config', file]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain(`snapshot ${rounded} is not among the table's snapshots`);
  });

  it('a table sync lands the current snapshot, then exactly the appended rows as one APPEND, then nothing, and refuses a delete by snapshot id landing nothing', async () => {
    const records = () => localDataset(storeRoot, 'synced_rows').transactions();
    await withWorker(config(raw), async (q) => {
      // Run 1: the current snapshot, as a SNAPSHOT; the cursor holds its id exactly.
      const first = await runCli(['sync', 'synced-appends', '--wait', '--json', ...flags(q)]);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(jsonLines(first.stdout).at(-1)).toMatchObject({ status: 'completed', transaction: 1, table: 'synced', toSnapshotId: synced.current, rows: synced.rows.length });
      let recs = await records();
      expect(recs.map((r) => [r.id, r.type, r.tableCursor])).toEqual([[1, 'SNAPSHOT', { job: 'synced-appends', table: 'synced', tableId: expect.any(String), snapshotId: synced.current }]]);
      expect(await landedRows(recs[0]!)).toEqual(canonical(synced.rows));

      // Run 2: two appends by pyiceberg; exactly their rows land, as one APPEND.
      const base = synced.current;
      fixture<TableState>('sync-append', 'synced', '2');
      const after = fixture<TableState>('sync-append', 'synced', '3');
      const appended = fixture<{ rows: string[] }>('rows', 'synced', base, after.current).rows;
      expect(appended).toHaveLength(10);
      const second = await runCli(['sync', 'synced-appends', '--wait', '--json', ...flags(q)]);
      expect(second.code).toBe(0);
      expect(jsonLines(second.stdout).at(-1)).toMatchObject({ transaction: 2, toSnapshotId: after.current, rows: 10 });
      recs = await records();
      expect(recs.map((r) => [r.id, r.type, r.tableCursor?.snapshotId])).toEqual([[1, 'SNAPSHOT', base], [2, 'APPEND', after.current]]);
      expect(await landedRows(recs[1]!)).toEqual(canonical(appended));
      // Together they are pyiceberg's current rows.
      expect(canonical([...synced.rows, ...appended])).toEqual(canonical(after.rows));
      const files = await localDataset(storeRoot, 'synced_rows').transactionFiles(recs[1]!);
      for (const f of files) {
        expect(f.path.startsWith(`s${f.table?.snapshotId}/`)).toBe(true);
        expect(f.table!.rows).toBeLessThanOrEqual(3);
      }

      // Run 3: nothing new: no transaction.
      const third = await runCli(['sync', 'synced-appends', '--wait', '--json', ...flags(q)]);
      expect(third.code).toBe(0);
      expect(jsonLines(third.stdout).at(-1)).toMatchObject({ transaction: null, rows: 0 });
      expect((await records()).length).toBe(2);

      // Run 4: a delete and an append after it: refused naming the delete's snapshot id; nothing landed or left behind.
      const deleted = fixture<TableState>('sync-delete', 'synced');
      const deleteId = deleted.current;
      expect(deleted.snapshots.find((s) => s.id === deleteId)?.operation).toBe('delete');
      fixture<TableState>('sync-append', 'synced', '4');
      const fourth = await runCli(['sync', 'synced-appends', '--wait', ...flags(q)]);
      expect(fourth.code).toBe(1);
      expect(fourth.stderr).toContain(`snapshot ${deleteId} is not an append (operation delete)`);
      expect(fourth.stderr).toContain('landed nothing');
      expect((await records()).length).toBe(2);
      expect(readdirSync(join(storeRoot, 'synced_rows', 'runs'))).toEqual([]);
    });
  });

  it('a table sync of a catalog table (identifier: on a files catalog) finds its folder through the catalog and lands its snapshot, then its appends', async () => {
    const records = () => localDataset(storeRoot, 'catalogued_rows').transactions();
    let appended: string[] = [];
    await withWorker(config(raw), async (q) => {
      const first = await runCli(['sync', 'catalogued-appends', '--wait', '--json', ...flags(q)]);
      expect(first.stderr).toBe('');
      expect(jsonLines(first.stdout).at(-1)).toMatchObject({ transaction: 1, toSnapshotId: catalogued.current, rows: catalogued.rows.length });
      const after = fixture<TableState>('sync-append', 'catalogued', '5');
      appended = fixture<{ rows: string[] }>('rows', 'catalogued', catalogued.current, after.current).rows;
      const second = await runCli(['sync', 'catalogued-appends', '--wait', '--json', ...flags(q)]);
      expect(second.code).toBe(0);
      expect(jsonLines(second.stdout).at(-1)).toMatchObject({ transaction: 2, toSnapshotId: after.current, rows: appended.length });
    });
    const recs = await records();
    expect(recs.map((r) => [r.type, r.tableCursor?.snapshotId])).toEqual([['SNAPSHOT', catalogued.current], ['APPEND', expect.any(String)]]);
    expect(await landedRows(recs[0]!, 'catalogued_rows')).toEqual(canonical(catalogued.rows));
    expect(appended).toHaveLength(5);
    expect(await landedRows(recs[1]!, 'catalogued_rows')).toEqual(canonical(appended));
    const files = await localDataset(storeRoot, 'catalogued_rows').transactionFiles(recs[1]!);
    // Provenance names the data file's own key in the bucket: the catalog's folder for the table.
    for (const f of files) expect(f.source?.key.startsWith(folderOf(catalogued.location))).toBe(true);
  });
});
