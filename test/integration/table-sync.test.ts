/**
 * Table syncs (`tableSyncs:`) end to end: Delta tables written by deltalake 1.6.6 and Parquet
 * tables by pyarrow, uploaded to MinIO, landed by `s3-connector sync JOB` on a real worker into a
 * local dataset store; the dataset's Parquet files are read back by pyarrow and compared row by
 * row with deltalake's reading of the versions landed (scripts/fixtures/delta_table_sync.py).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { jsonLines } from '../harness/cli-output';
import { filesOf, goldenTable } from '../harness/delta-fixtures';
import { createBucket, putObjects } from '../harness/minio-admin';
import { localDataset, temporalClient } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';
import { Dataset } from '../../datasets/dataset';
import { s3Backend } from '../../datasets/s3-backend';
import type { TransactionRecord } from '../../datasets/types';
import { createSourceRegistry } from '../../s3/source-registry';

const root = resolve(__dirname, '..', '..');
const python = join(root, '.tools', 'venv', 'bin', 'python');

/** Runs the fixture script and returns its stdout's lines. */
function fixture(...args: string[]): string[] {
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
  const out = execFileSync(python, [join(root, 'scripts', 'fixtures', 'delta_table_sync.py'), ...args], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '');
}

/** The id of a row line. */
const idOf = (line: string) => Number((JSON.parse(line) as { id: number }).id);

jest.setTimeout(300_000);

describe('table syncs land a table\'s appended rows into a dataset as Parquet files', () => {
  let bucket: string;
  let storeRoot: string;
  let raw: Record<string, unknown>;
  let file: string;
  const delta = join(mkdtempSync(join(tmpdir(), 'table-sync-delta-')), 'orders');
  const parquet = join(mkdtempSync(join(tmpdir(), 'table-sync-pq-')), 'events');
  const avro = join(mkdtempSync(join(tmpdir(), 'table-sync-avro-')), 'clicks');
  const evolving = join(mkdtempSync(join(tmpdir(), 'table-sync-evolving-')), 'evolving');
  const flags = (taskQueue: string) => ['--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue, '--json'];

  /** Uploads the local Delta table (again: new files are added, others overwritten with the same bytes). */
  const upload = () => putObjects(bucket, filesOf(delta, 'lake/orders/'));
  /** The dataset's records. */
  const records = () => localDataset(storeRoot, 'orders_rows').transactions();
  /** pyarrow's reading of one transaction's Parquet files, sorted by id. */
  async function landedRows(dataset: string, record: TransactionRecord): Promise<string[]> {
    const entries = await localDataset(storeRoot, dataset).transactionFiles(record);
    return fixture('files', ...entries.map((e) => join(storeRoot, e.blob))).sort((a, b) => idOf(a) - idOf(b));
  }
  /** deltalake's rows at `version` minus those at `before` (an append-only range: by id). */
  function appended(before: number, version: number): string[] {
    const old = new Set(fixture('rows', delta, String(before)).map(idOf));
    return fixture('rows', delta, String(version)).filter((l) => !old.has(idOf(l)));
  }

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('table-sync');
    storeRoot = mkdtempSync(join(tmpdir(), 'table-sync-store-'));
    fixture('append', delta, '0', '100'); // version 0
    fixture('append', delta, '100', '50'); // version 1
    await upload();
    fixture('parquet-table', parquet, '0', '30');
    fixture('parquet-table', parquet, '30', '20');
    await putObjects(bucket, filesOf(parquet, 'lake/events/'));
    fixture('avro-table', avro, '0', '25');
    fixture('avro-table', avro, '25', '40');
    await putObjects(bucket, filesOf(avro, 'lake/clicks/'));
    await putObjects(bucket, filesOf(goldenTable('table-with-dv-small'), 'lake/dv/'));
    fixture('append', evolving, '0', '10');
    await putObjects(bucket, filesOf(evolving, 'lake/evolving/'));
    raw = {
      datasetStore: storeRoot,
      sources: { src: minioSource(bucket) },
      virtualTables: {
        orders: { source: 'src', format: 'delta', location: 'lake/orders/' },
        events: { source: 'src', format: 'parquet', location: 'lake/events/' },
        clicks: { source: 'src', format: 'avro', location: 'lake/clicks/' },
        dv: { source: 'src', format: 'delta', location: 'lake/dv/' },
        evolving: { source: 'src', format: 'delta', location: 'lake/evolving/' },
      },
      tableSyncs: {
        'orders-appends': { table: 'orders', dataset: 'orders_rows', rowsPerFile: 40 },
        'events-snapshot': { table: 'events', dataset: 'events_rows' },
        'events-scheduled': { table: 'events', dataset: 'events_scheduled', schedule: { cron: '0 0 1 1 *' } },
        'clicks-snapshot': { table: 'clicks', dataset: 'clicks_rows', rowsPerFile: 30 },
        'dv-rows': { table: 'dv', dataset: 'dv_rows' },
        'evolving-appends': { table: 'evolving', dataset: 'evolving_rows' },
      },
    };
    file = writeConfigFile(raw);
  });

  it('lands the snapshot first, then exactly the appended rows, then nothing, then an empty APPEND for a compaction; a delete stops the run naming version and operation', async () => {
    await withWorker(config(raw), async (q) => {
      // Run 1: the whole current snapshot (version 1), as a SNAPSHOT, files of at most 40 rows.
      const first = await runCli(['sync', 'orders-appends', '--wait', ...flags(q)]);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(jsonLines(first.stdout).at(-1)).toMatchObject({
        workflowId: 'tableSync/orders-appends', status: 'completed', transaction: 1, table: 'orders', fromVersion: 1, toVersion: 1, rows: 150,
      });
      let recs = await records();
      expect(recs.map((r) => [r.id, r.type, r.tableCursor])).toEqual([[1, 'SNAPSHOT', { job: 'orders-appends', table: 'orders', version: 1, tableId: expect.any(String) }]]);
      expect(await landedRows('orders_rows', recs[0]!)).toEqual(fixture('rows', delta, '1'));
      const files = await localDataset(storeRoot, 'orders_rows').transactionFiles(recs[0]!);
      for (const f of files) {
        expect(f.table!.rows).toBeLessThanOrEqual(40);
        expect(f.path).toMatch(/^v00000000000000000001\/region=(eu|us)\/part-\d{5}-[0-9a-f-]{36}-c000-\d{5}\.parquet$/);
        expect(f.verifiedBy).toBe('written');
      }

      // Run 2: deltalake appends twice (versions 2 and 3); exactly their rows land, as one APPEND.
      fixture('append', delta, '150', '70');
      fixture('append', delta, '220', '10');
      await upload();
      const second = await runCli(['sync', 'orders-appends', '--wait', ...flags(q)]);
      expect(second.code).toBe(0);
      expect(jsonLines(second.stdout).at(-1)).toMatchObject({ transaction: 2, fromVersion: 2, toVersion: 3, rows: 80 });
      recs = await records();
      expect(recs.map((r) => [r.id, r.type, r.tableCursor?.version])).toEqual([[1, 'SNAPSHOT', 1], [2, 'APPEND', 3]]);
      const rows2 = await landedRows('orders_rows', recs[1]!);
      expect(rows2).toHaveLength(80);
      expect(rows2).toEqual(appended(1, 3));

      // Run 3: nothing new: no transaction.
      const third = await runCli(['sync', 'orders-appends', '--wait', ...flags(q)]);
      expect(third.code).toBe(0);
      expect(jsonLines(third.stdout).at(-1)).toMatchObject({ transaction: null, rows: 0 });
      expect((await records()).length).toBe(2);

      // Run 4: a compaction (version 4) adds no rows: an empty APPEND moves the cursor.
      fixture('optimize', delta);
      await upload();
      const fourth = await runCli(['sync', 'orders-appends', '--wait', ...flags(q)]);
      expect(fourth.code).toBe(0);
      expect(jsonLines(fourth.stdout).at(-1)).toMatchObject({ transaction: 3, filesAdded: 0, rows: 0, fromVersion: 4, toVersion: 4 });
      recs = await records();
      expect(recs.map((r) => [r.id, r.type, r.fileCount, r.tableCursor?.version])).toEqual([[1, 'SNAPSHOT', files.length, 1], [2, 'APPEND', expect.any(Number), 3], [3, 'APPEND', 0, 4]]);

      // Run 5: deltalake deletes a row (version 5) and appends (version 6): refused, nothing landed, nothing left behind.
      fixture('delete', delta, '7');
      fixture('append', delta, '230', '5');
      await upload();
      const fifth = await runCli(['sync', 'orders-appends', '--wait', ...flags(q)]);
      expect(fifth.code).toBe(1);
      expect(fifth.stderr).toMatch(/table orders: version 5 is not an append \(operation DELETE: it removes .* with dataChange=true\).*landed nothing/);
      expect((await records()).length).toBe(3);
      expect(readdirSync(join(storeRoot, 'orders_rows', 'runs'))).toEqual([]);
      expect(readdirSync(join(storeRoot, 'orders_rows', 'manifests')).sort()).toEqual(recs.filter((r) => r.manifests.length > 0).map((r) => r.runKey).sort());
    });
  });

  it('snapshots a Parquet table on every run, each a SNAPSHOT of its current rows', async () => {
    await withWorker(config(raw), async (q) => {
      const first = await runCli(['sync', 'events-snapshot', '--wait', ...flags(q)]);
      expect(first.code).toBe(0);
      expect(jsonLines(first.stdout).at(-1)).toMatchObject({ transaction: 1, rows: 50 });
      fixture('parquet-table', parquet, '50', '7');
      await putObjects(bucket, filesOf(parquet, 'lake/events/'));
      const second = await runCli(['sync', 'events-snapshot', '--wait', ...flags(q)]);
      expect(second.code).toBe(0);
      expect(jsonLines(second.stdout).at(-1)).toMatchObject({ transaction: 2, rows: 57 });
    });
    const recs = await localDataset(storeRoot, 'events_rows').transactions();
    expect(recs.map((r) => [r.type, r.tableCursor])).toEqual([['SNAPSHOT', { job: 'events-snapshot', table: 'events' }], ['SNAPSHOT', { job: 'events-snapshot', table: 'events' }]]);
    const sources = readdirSync(parquet).map((n) => join(parquet, n));
    const expected = fixture('files', ...sources).sort((a, b) => idOf(a) - idOf(b));
    expect(await landedRows('events_rows', recs[1]!)).toEqual(expected);
    const files = await localDataset(storeRoot, 'events_rows').transactionFiles(recs[1]!);
    expect(files.map((f) => f.path).sort()).toEqual(['part-00000-00000.parquet', 'part-00030-00000.parquet', 'part-00050-00000.parquet']);
  });

  it('snapshots an Avro table into Parquet files holding exactly the rows fastavro reads', async () => {
    const run = await withWorker(config(raw), (q) => runCli(['sync', 'clicks-snapshot', '--wait', ...flags(q)]));
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout).at(-1)).toMatchObject({ transaction: 1, rows: 65, filesAdded: 3 });
    const [record] = await localDataset(storeRoot, 'clicks_rows').transactions();
    expect(record).toMatchObject({ type: 'SNAPSHOT', tableCursor: { job: 'clicks-snapshot', table: 'clicks' } });
    const files = await localDataset(storeRoot, 'clicks_rows').transactionFiles(record!);
    expect(files.map((f) => [f.path, f.table!.rows]).sort()).toEqual([['part-00000-00000.parquet', 25], ['part-00025-00000.parquet', 30], ['part-00025-00001.parquet', 10]]);
    const sources = readdirSync(avro).map((n) => join(avro, n));
    expect(await landedRows('clicks_rows', record!)).toEqual(fixture('avro-rows', ...sources));
  });

  it('lands a Delta snapshot without the rows its deletion vectors delete', async () => {
    const run = await withWorker(config(raw), (q) => runCli(['sync', 'dv-rows', '--wait', ...flags(q).filter((f) => f !== '--json')]));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^tableSync\/dv-rows \(run [0-9a-f-]+\) completed: transaction 1 \(SNAPSHOT\): version \d+ of table dv, 8 row\(s\) in 1 Parquet file\(s\), \d+ bytes/m);
    const [record] = await localDataset(storeRoot, 'dv_rows').transactions();
    // delta-kernel-rs's expected rows of table-with-dv-small: values 1 to 8 (0 and 9 deleted by its deletion vector).
    const values = (await landedRows('dv_rows', record!)).map((l) => (JSON.parse(l) as { value: number }).value).sort((a, b) => a - b);
    expect(values).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('reads the appends of a range whose last version adds a column under that version\'s schema: older rows get null', async () => {
    await withWorker(config(raw), async (q) => {
      expect((await runCli(['sync', 'evolving-appends', '--wait', ...flags(q)])).code).toBe(0);
      fixture('append', evolving, '10', '6'); // version 1, the old schema
      fixture('append-noted', evolving, '16', '4'); // version 2 adds the column note
      await putObjects(bucket, filesOf(evolving, 'lake/evolving/'));
      const run = await runCli(['sync', 'evolving-appends', '--wait', ...flags(q)]);
      expect(run.code).toBe(0);
      expect(jsonLines(run.stdout).at(-1)).toMatchObject({ transaction: 2, fromVersion: 1, toVersion: 2, rows: 10 });
    });
    const records = await localDataset(storeRoot, 'evolving_rows').transactions();
    const before = new Set(fixture('rows', evolving, '0').map(idOf));
    const expected = fixture('rows-all', evolving, '2').filter((l) => !before.has(idOf(l)));
    expect(expected.filter((l) => (JSON.parse(l) as { note: string | null }).note === null)).toHaveLength(6);
    expect(await landedRows('evolving_rows', records[1]!)).toEqual(expected);
  });

  it('is scheduled by schedule apply, and its runs are listed by runs and shown by status like other jobs', async () => {
    const { applied, trigger, runs, status } = await withWorker(config(raw), async (q) => {
      const applied = await runCli(['schedule', 'apply', ...flags(q)]);
      const trigger = await runCli(['schedule', 'trigger', 'events-scheduled', ...flags(q)]);
      const started = jsonLines(trigger.stdout)[0] ?? {};
      const t = await temporalClient();
      await t.client.workflow.getHandle(String(started.workflowId), String(started.runId)).result().finally(() => t.close());
      let runs = await runCli(['runs', '--job', 'events-scheduled', ...flags(q)]);
      for (let i = 0; i < 80 && !jsonLines(runs.stdout).some((r) => r.status === 'COMPLETED'); i++) {
        await new Promise((ok) => setTimeout(ok, 250));
        runs = await runCli(['runs', '--job', 'events-scheduled', ...flags(q)]);
      }
      const status = await runCli(['status', String(started.workflowId), ...flags(q)]);
      await runCli(['schedule', 'delete', 'events-scheduled', ...flags(q)]);
      return { applied, trigger, runs, status };
    });
    const files = readdirSync(parquet).map((n) => join(parquet, n));
    expect(applied.code).toBe(0);
    expect(jsonLines(applied.stdout)).toEqual([{ scheduleId: 'schedule/events-scheduled', job: 'events-scheduled', cron: '0 0 1 1 *', change: 'created' }]);
    const [started] = jsonLines(trigger.stdout);
    expect(started).toMatchObject({ triggered: true, workflowId: expect.stringMatching(/^tableSync\/events-scheduled-/) });
    expect(jsonLines(runs.stdout)).toEqual([expect.objectContaining({ workflowType: 'tableSync', workflowId: started!.workflowId, status: 'COMPLETED', job: 'events-scheduled' })]);
    expect(jsonLines(status.stdout)).toEqual([expect.objectContaining({
      workflowType: 'tableSync', status: 'COMPLETED', job: 'events-scheduled', source: 'src', dataset: 'events_scheduled',
      progress: expect.objectContaining({ kind: 'sync', phase: 'done', objectsPlanned: files.length, filesCopied: files.length }),
      result: expect.objectContaining({ transaction: 1, transactionType: 'SNAPSHOT', table: 'events', rows: fixture('files', ...files).length }),
      failure: null,
    })]);
  });

  it('lands into a dataset store inside an S3 source, its Parquet files uploaded as blobs there', async () => {
    const storeBucket = await createBucket('table-sync-store');
    const onS3 = { ...raw, datasetStore: 'store', sources: { ...(raw.sources as object), store: minioSource(storeBucket) } };
    const run = await withWorker(config(onS3), (q) => runCli(['sync', 'orders-appends', '--wait', ...flags(q).slice(2), '--config', writeConfigFile(onS3)]));
    expect(run.code).toBe(0);
    const version = Number(fixture('version', delta)[0]);
    expect(jsonLines(run.stdout).at(-1)).toMatchObject({ transaction: 1, fromVersion: version, toVersion: version });
    const store = s3Backend(createSourceRegistry(config(onS3)).get('store'));
    const dataset = new Dataset(store, 'orders_rows');
    const [record] = await dataset.transactions();
    const local = mkdtempSync(join(tmpdir(), 'table-sync-s3-blobs-'));
    const paths: string[] = [];
    for (const entry of await dataset.transactionFiles(record!)) {
      expect(entry.blob).toMatch(/^orders_rows\/blobs\/[0-9a-f-]{36}$/);
      const path = join(local, `${paths.length}.parquet`);
      writeFileSync(path, (await store.read(entry.blob))!);
      paths.push(path);
    }
    expect(fixture('files', ...paths).sort((a, b) => idOf(a) - idOf(b))).toEqual(fixture('rows', delta, String(version)));
  });
});
