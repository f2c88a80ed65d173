/**
 * Virtual tables through the CLI: Delta golden tables (test/fixtures/delta-kernel-rs) uploaded to
 * MinIO, registered, listed, described, previewed and their history shown on a real worker, and
 * read by `tables read` through S3, row for row against the same reader on the local copy and
 * against the rows delta-kernel-rs's tests expect; a golden table's data files alone as a
 * Parquet table, and fastavro's files as an Avro table, the same way.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { jsonLines } from '../harness/cli-output';
import { expectedTable, filesOf, goldenTable, sortRows } from '../harness/delta-fixtures';
import { createBucket, putObjects } from '../harness/minio-admin';
import { testEnv } from '../harness/test-env';
import { readTableLines, type OpenedTable } from '../../tables/registry-ops';
import type { TableFormat } from '../../tables/registry';
import { parseJsonLineExact } from '../../tables/serialize';
import { LocalTableStorage } from '../../tables/storage-local';

/** The rows the same reader reads from the local copy, as JSON lines, sorted. */
async function localLines(dir: string, request: Parameters<typeof readTableLines>[1] = {}, format: TableFormat = 'delta'): Promise<string[]> {
  const table: OpenedTable = { name: 'local', format, source: 'local', location: dir, storage: new LocalTableStorage(dir) };
  const lines: string[] = [];
  for await (const line of readTableLines(table, request)) lines.push(line);
  return lines.sort();
}

const linesOf = (text: string) => text.split('\n').filter((l) => l !== '');

/** Avro files written by fastavro (scripts/fixtures/make_avro_tables.py): their `codecs/` folder, four files of 40 rows. */
function avroTable(): string {
  const root = resolve(__dirname, '..', '..');
  const python = join(root, '.tools', 'venv', 'bin', 'python');
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
  const out = mkdtempSync(join(tmpdir(), 'tables-avro-'));
  execFileSync(python, [join(root, 'scripts', 'fixtures', 'make_avro_tables.py'), out], { stdio: 'inherit' });
  return join(out, 'codecs');
}

describe('tables commands on Delta, Parquet and Avro tables in MinIO', () => {
  let bucket: string;
  let raw: Record<string, unknown>;
  let file: string;
  let offline: string;
  const basic = goldenTable('basic_partitioned');
  const dv = goldenTable('table-with-dv-small');
  let avro: string;
  const cdf = resolve(__dirname, '..', 'fixtures', 'deltalake-cdf', 'table');
  const flags = (taskQueue: string) => ['--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue];

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('tables');
    avro = avroTable();
    // basic_partitioned's data files without its log: a folder of Parquet files in hive key=value folders.
    const parquetFiles = filesOf(basic, 'lake/pq/').filter((f) => !f.key.includes('_delta_log'));
    // basic_partitioned without the data files its second commit added: a log listing files that are gone.
    const commit1 = readFileSync(join(basic, '_delta_log', '00000000000000000001.json'), 'utf8');
    const broken = filesOf(basic, 'lake/broken/').filter((f) => !f.key.endsWith('.parquet') || !commit1.includes(f.key.slice('lake/broken/'.length)));
    await putObjects(bucket, [...filesOf(cdf, 'lake/cdf/'), ...broken, ...filesOf(basic, 'lake/basic/'), ...filesOf(dv, 'lake/dv/'), ...filesOf(basic, 'lake/evolving/'), ...parquetFiles, ...filesOf(avro, 'lake/avro/')]);
    const storeRoot = mkdtempSync(join(tmpdir(), 'tables-store-'));
    raw = {
      datasetStore: storeRoot,
      sources: { src: minioSource(bucket) },
      virtualTables: {
        basic: { source: 'src', format: 'delta', location: 'lake/basic/' },
        dv: { source: 'src', format: 'delta', location: 'lake/dv' },
        evolving: { source: 'src', format: 'delta', location: 'lake/evolving/' },
        pq: { source: 'src', format: 'parquet', location: 'lake/pq/' },
        av: { source: 'src', format: 'avro', location: 'lake/avro/' },
        ice: { source: 'src', format: 'iceberg', location: 'lake/ice/' },
        broken: { source: 'src', format: 'delta', location: 'lake/broken/' },
        cdf: { source: 'src', format: 'delta', location: 'lake/cdf/' },
      },
    };
    file = writeConfigFile(raw);
    // The same config with a source no request can reach: list and schema must not need it.
    offline = writeConfigFile({ ...raw, sources: { src: minioSource(bucket, { endpoint: 'http://127.0.0.1:9' }) } });
  });

  it('registers a table on a worker, then lists it and shows its schema from the store alone', async () => {
    const result = await withWorker(config(raw), (q) => runCli(['tables', 'register', 'basic', '--json', ...flags(q)]));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [record] = jsonLines(result.stdout);
    const bytes = filesOf(basic, '').filter((f) => f.key.endsWith('.parquet')).reduce((n, f) => n + f.body.length, 0);
    expect(record).toEqual({
      type: 'table', name: 'basic', format: 'delta', source: 'src', location: 'lake/basic/', url: `s3://${bucket}/lake/basic/`,
      version: 1, versionTimestamp: expect.any(String), partitionColumns: ['letter'], fileCount: 6, bytes,
      schema: [{ name: 'letter', type: 'string', nullable: true }, { name: 'number', type: 'long', nullable: true }, { name: 'a_float', type: 'double', nullable: true }],
      registeredAt: expect.any(String), refreshed: false, previousVersion: null, schemaChanges: [],
    });

    const list = await runCli(['tables', 'list', '--json', '--config', offline]);
    expect(list.code).toBe(0);
    const stored = Object.fromEntries(Object.entries(record!).filter(([k]) => !['refreshed', 'previousVersion', 'schemaChanges'].includes(k)));
    expect(jsonLines(list.stdout)).toEqual([stored]);
    const human = await runCli(['tables', 'list', '--config', offline]);
    expect(human.stdout).toMatch(/^basic\s+delta\s+1\s+6\s+/m);

    const schema = await runCli(['tables', 'schema', 'basic', '--config', offline]);
    expect(schema.code).toBe(0);
    expect(schema.stdout).toContain('letter   string  (partition)\nnumber   long\na_float  double\n');
    const missing = await runCli(['tables', 'schema', 'dv', '--config', offline]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('table "dv" is not registered');
  });

  it('previews the first rows and shows the history on a worker', async () => {
    const [preview, history] = await withWorker(config(raw), async (q) => [
      await runCli(['tables', 'preview', 'basic', '--rows', '4', '--json', ...flags(q)]),
      await runCli(['tables', 'history', 'basic', '--json', ...flags(q)]),
    ]);
    expect(preview.code).toBe(0);
    const [head, ...rows] = linesOf(preview.stdout);
    expect(JSON.parse(head!)).toMatchObject({ type: 'preview', table: 'basic', version: 1 });
    expect(rows).toHaveLength(4);
    const all = await localLines(basic);
    for (const row of rows) expect(all).toContain(row);

    expect(history.code).toBe(0);
    const commits = jsonLines(history.stdout);
    expect(commits.map((c) => [c.version, c.operation])).toEqual([[1, 'WRITE'], [0, 'WRITE']]);
    for (const c of commits) expect(c.commitInfoTimestamp).toMatch(/^2023-01-25T/);
  });

  it('reads whole tables through S3 with exact rows: the same as the local reading and as delta-kernel-rs expects', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tables-read-')), 'basic.jsonl');
    const read = await runCli(['tables', 'read', 'basic', '--direct', '--out', out, '--config', file]);
    expect(read.code).toBe(0);
    expect(read.stderr).toContain(`6 rows of table basic version 1 written to ${out}`);
    const lines = linesOf(readFileSync(out, 'utf8'));
    expect([...lines].sort()).toEqual(await localLines(basic));
    const expected = expectedTable('basic_partitioned.txt');
    const cells = lines.map((l) => {
      const row = parseJsonLineExact(l) as Record<string, unknown>;
      return expected.columns.map((c) => (row[c] === null ? '' : String(row[c])));
    });
    expect(sortRows(cells)).toEqual(sortRows(expected.rows));

    // Deletion vectors, read through ranged GETs.
    const dvRead = await runCli(['tables', 'read', 'dv', '--direct', '--config', file]);
    expect(dvRead.code).toBe(0);
    expect([...linesOf(dvRead.stdout)].sort()).toEqual(await localLines(dv));
    expect(linesOf(dvRead.stdout).map((l) => (parseJsonLineExact(l) as { value: number }).value).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('reads the changes between versions (Change Data Feed) exactly as deltalake\'s load_cdf gives them', async () => {
    const expected = readFileSync(resolve(cdf, '..', 'expected.jsonl'), 'utf8').split('\n').filter((l) => l !== '')
      .map((l) => JSON.stringify(JSON.parse(l))).sort();
    /** Each row with every value as its exact text, _commit_timestamp left out (as in expected.jsonl). */
    const asText = (stdout: string) => linesOf(stdout).map((l) => {
      const { _commit_timestamp: ts, ...row } = parseJsonLineExact(l) as Record<string, unknown>;
      expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      return JSON.stringify(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)])));
    }).sort();
    const all = await runCli(['tables', 'read', 'cdf', '--direct', '--since', '0', '--config', file]);
    expect(all.code).toBe(0);
    expect(asText(all.stdout)).toEqual(expected);
    expect(all.stderr).toMatch(/^33 rows of table cdf, the changes of versions 0 to \d+\n/m);

    const one = await runCli(['tables', 'read', 'cdf', '--direct', '--since', '1', '--until', '1', '--config', file]);
    expect(one.code).toBe(0);
    expect(asText(one.stdout)).toEqual(expected.filter((l) => (JSON.parse(l) as { _commit_version: string })._commit_version === '1'));

    const off = await runCli(['tables', 'read', 'basic', '--direct', '--since', '0', '--config', file]);
    expect(off.code).toBe(1);
    expect(off.stderr).toContain('the Change Data Feed was not enabled at version 0');
    const both = await runCli(['tables', 'read', 'cdf', '--direct', '--since', '0', '--version', '1', '--config', file]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give --since (the changes of a range of versions) or --version/--as-of (a snapshot), not both');
  });

  it('reads a table as CSV: a header, then the same values', async () => {
    const csv = await runCli(['tables', 'read', 'basic', '--direct', '--format', 'csv', '--columns', 'letter,number,a_float', '--config', file]);
    expect(csv.code).toBe(0);
    const [header, ...rows] = csv.stdout.split('\r\n').filter((l) => l !== '');
    expect(header).toBe('letter,number,a_float');
    expect(sortRows(rows.map((r) => r.split(',')))).toEqual(sortRows(expectedTable('basic_partitioned.txt').rows));
  });

  it('reads columns, a limit and older versions (time travel by version and by time)', async () => {
    const v0 = await runCli(['tables', 'read', 'basic', '--direct', '--version', '0', '--columns', 'number,letter', '--config', file]);
    expect(v0.code).toBe(0);
    expect([...linesOf(v0.stdout)].sort()).toEqual(await localLines(basic, { version: 0, columns: ['number', 'letter'] }));
    expect(linesOf(v0.stdout).every((l) => /^\{"number":\d+,"letter":/.test(l))).toBe(true);
    expect(v0.stderr).toContain('version 0');

    const limited = await runCli(['tables', 'read', 'basic', '--direct', '--limit', '2', '--config', file]);
    expect(linesOf(limited.stdout)).toHaveLength(2);
    const later = await runCli(['tables', 'read', 'basic', '--direct', '--as-of', new Date(Date.now() + 60_000).toISOString(), '--columns', 'number', '--config', file]);
    expect(later.code).toBe(0);
    expect(later.stderr).toContain('6 rows of table basic version 1');
  });

  it('reports a schema change as a diff when a table is registered again', async () => {
    await withWorker(config(raw), async (q) => {
      expect((await runCli(['tables', 'register', 'evolving', ...flags(q)])).code).toBe(0);
      // A commit that adds a column (as ALTER TABLE ADD COLUMNS writes it).
      const commit0 = readFileSync(join(basic, '_delta_log', '00000000000000000000.json'), 'utf8');
      const metaData = JSON.parse(commit0.split('\n').find((l) => l.startsWith('{"metaData"'))!) as { metaData: { schemaString: string } };
      const schema = JSON.parse(metaData.metaData.schemaString) as { fields: object[] };
      schema.fields.push({ name: 'note', type: 'string', nullable: true, metadata: {} });
      metaData.metaData.schemaString = JSON.stringify(schema);
      const commitInfo = { commitInfo: { timestamp: Date.now(), operation: 'ADD COLUMNS' } };
      await putObjects(bucket, [{ key: 'lake/evolving/_delta_log/00000000000000000002.json', body: `${JSON.stringify(commitInfo)}\n${JSON.stringify(metaData)}\n` }]);

      const again = await runCli(['tables', 'register', 'evolving', ...flags(q)]);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('refreshed: version 1 -> 2; schema changed:\n  + note string\n');
      const json = await runCli(['tables', 'register', 'evolving', '--json', ...flags(q)]);
      expect(jsonLines(json.stdout)[0]).toMatchObject({ version: 2, refreshed: true, previousVersion: 2, schemaChanges: [] });
    });
    const schema = await runCli(['tables', 'schema', 'evolving', '--json', '--config', offline]);
    expect(jsonLines(schema.stdout)[0]!.columns).toContainEqual({ name: 'note', type: 'string', nullable: true });
    const read = await runCli(['tables', 'read', 'evolving', '--direct', '--limit', '1', '--config', file]);
    expect(parseJsonLineExact(linesOf(read.stdout)[0]!)).toMatchObject({ note: null });
  });

  it('registers, previews and reads a folder of Parquet files and a folder of Avro files through S3', async () => {
    const [pq, av, preview] = await withWorker(config(raw), async (q) => [
      await runCli(['tables', 'register', 'pq', '--json', ...flags(q)]),
      await runCli(['tables', 'register', 'av', '--json', ...flags(q)]),
      await runCli(['tables', 'preview', 'av', '--rows', '5', '--json', ...flags(q)]),
    ]);
    expect(pq.code).toBe(0);
    const pqRecord = jsonLines(pq.stdout)[0]!;
    expect(pqRecord).toMatchObject({ format: 'parquet', fileCount: 6, partitionColumns: ['letter'], refreshed: false });
    expect(pqRecord.version).toBeUndefined();
    expect(pqRecord.schema).toContainEqual({ name: 'letter', type: 'string', nullable: true });
    expect(av.code).toBe(0);
    expect(jsonLines(av.stdout)[0]).toMatchObject({ format: 'avro', fileCount: 4, partitionColumns: [] });

    const [head, ...rows] = linesOf(preview.stdout);
    expect(JSON.parse(head!)).toMatchObject({ type: 'preview', table: 'av', version: null });
    expect(rows).toHaveLength(5);
    const avroAll = await localLines(avro, {}, 'avro');
    expect(avroAll).toHaveLength(160);
    for (const row of rows) expect(avroAll).toContain(row);

    const pqRead = await runCli(['tables', 'read', 'pq', '--direct', '--config', file]);
    expect(pqRead.code).toBe(0);
    expect(pqRead.stderr).toContain('6 rows of table pq\n');
    const parquetRoot = mkdtempSync(join(tmpdir(), 'tables-pq-'));
    for (const f of filesOf(basic, '').filter((x) => !x.key.includes('_delta_log'))) {
      mkdirSync(join(parquetRoot, f.key, '..'), { recursive: true });
      writeFileSync(join(parquetRoot, f.key), f.body);
    }
    expect([...linesOf(pqRead.stdout)].sort()).toEqual(await localLines(parquetRoot, {}, 'parquet'));
    const expected = expectedTable('basic_partitioned.txt');
    const cells = linesOf(pqRead.stdout).map((l) => {
      const row = parseJsonLineExact(l) as Record<string, unknown>;
      return expected.columns.map((c) => (row[c] === null ? '' : String(row[c])));
    });
    expect(sortRows(cells)).toEqual(sortRows(expected.rows));

    const avRead = await runCli(['tables', 'read', 'av', '--direct', '--config', file]);
    expect(avRead.code).toBe(0);
    expect([...linesOf(avRead.stdout)].sort()).toEqual(avroAll);
  });

  it('refuses formats and options that are not built yet, naming them, unknown tables and a table whose data files are gone', async () => {
    const ice = await runCli(['tables', 'register', 'ice', '--direct', '--config', file]);
    expect(ice.code).toBe(1);
    expect(ice.stderr).toMatch(/no Iceberg metadata in s3:\/\/.*\/lake\/ice\/metadata\/ .*not an Iceberg table folder/);
    const history = await runCli(['tables', 'history', 'pq', '--config', file]);
    expect(history.code).toBe(2);
    expect(history.stderr).toContain('table pq (format parquet) has no versions: history applies to delta, iceberg tables');
    const version = await runCli(['tables', 'read', 'av', '--direct', '--version', '0', '--config', file]);
    expect(version.code).toBe(2);
    expect(version.stderr).toContain('table av (format avro) has no versions: --version, --as-of and --since apply to delta, iceberg tables');
    const format = await runCli(['tables', 'read', 'basic', '--direct', '--format', 'xml', '--config', file]);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('tables read: --format xml is not a format. Fix: give one of jsonl, csv, parquet.');
    expect(format.stdout).toBe('');
    const broken = await runCli(['tables', 'register', 'broken', '--direct', '--config', file]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/data file letter=.*\.parquet listed by version 1 of s3:\/\/.*\/lake\/broken\/ is missing: the table is incomplete/);
    const unknown = await runCli(['tables', 'preview', 'nope', '--config', file]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('virtual table "nope" is not in the config');
  });
});
