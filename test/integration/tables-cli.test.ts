/**
 * Virtual tables through the CLI: Delta golden tables (test/fixtures/delta-kernel-rs) uploaded to
 * MinIO, registered, listed, described, previewed and their history shown on a real worker, and
 * read by `tables read` through S3, row for row against the same reader on the local copy and
 * against the rows delta-kernel-rs's tests expect.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { jsonLines } from '../harness/cli-output';
import { expectedTable, goldenTable, sortRows } from '../harness/delta-fixtures';
import { createBucket, putObjects } from '../harness/minio-admin';
import { testEnv } from '../harness/test-env';
import { readTableLines, type OpenedTable } from '../../tables/registry-ops';
import { parseJsonLineExact } from '../../tables/serialize';
import { LocalTableStorage } from '../../tables/storage-local';

/** Every file below `dir`, as keys below `prefix`. */
function filesOf(dir: string, prefix: string): Array<{ key: string; body: Uint8Array }> {
  const out: Array<{ key: string; body: Uint8Array }> = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push({ key: `${prefix}${relative(dir, path).split(sep).join('/')}`, body: readFileSync(path) });
    }
  };
  walk(dir);
  return out;
}

/** The rows the same reader reads from the local copy, as JSON lines, sorted. */
async function localLines(dir: string, request: Parameters<typeof readTableLines>[1] = {}): Promise<string[]> {
  const table: OpenedTable = { name: 'local', format: 'delta', source: 'local', location: dir, storage: new LocalTableStorage(dir) };
  const lines: string[] = [];
  for await (const line of readTableLines(table, request)) lines.push(line);
  return lines.sort();
}

const linesOf = (text: string) => text.split('\n').filter((l) => l !== '');

describe('tables commands on Delta tables in MinIO', () => {
  let bucket: string;
  let raw: Record<string, unknown>;
  let file: string;
  let offline: string;
  const basic = goldenTable('basic_partitioned');
  const dv = goldenTable('table-with-dv-small');
  const flags = (taskQueue: string) => ['--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue];

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('tables');
    await putObjects(bucket, [...filesOf(basic, 'lake/basic/'), ...filesOf(dv, 'lake/dv/'), ...filesOf(basic, 'lake/evolving/')]);
    const storeRoot = mkdtempSync(join(tmpdir(), 'tables-store-'));
    raw = {
      datasetStore: storeRoot,
      sources: { src: minioSource(bucket) },
      virtualTables: {
        basic: { source: 'src', format: 'delta', location: 'lake/basic/' },
        dv: { source: 'src', format: 'delta', location: 'lake/dv' },
        evolving: { source: 'src', format: 'delta', location: 'lake/evolving/' },
        pq: { source: 'src', format: 'parquet', location: 'lake/pq/' },
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
    const read = await runCli(['tables', 'read', 'basic', '--out', out, '--config', file]);
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
    const dvRead = await runCli(['tables', 'read', 'dv', '--config', file]);
    expect(dvRead.code).toBe(0);
    expect([...linesOf(dvRead.stdout)].sort()).toEqual(await localLines(dv));
    expect(linesOf(dvRead.stdout).map((l) => (parseJsonLineExact(l) as { value: number }).value).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('reads columns, a limit and older versions (time travel by version and by time)', async () => {
    const v0 = await runCli(['tables', 'read', 'basic', '--version', '0', '--columns', 'number,letter', '--config', file]);
    expect(v0.code).toBe(0);
    expect([...linesOf(v0.stdout)].sort()).toEqual(await localLines(basic, { version: 0, columns: ['number', 'letter'] }));
    expect(linesOf(v0.stdout).every((l) => /^\{"number":\d+,"letter":/.test(l))).toBe(true);
    expect(v0.stderr).toContain('version 0');

    const limited = await runCli(['tables', 'read', 'basic', '--limit', '2', '--config', file]);
    expect(linesOf(limited.stdout)).toHaveLength(2);
    const later = await runCli(['tables', 'read', 'basic', '--as-of', new Date(Date.now() + 60_000).toISOString(), '--columns', 'number', '--config', file]);
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
    const read = await runCli(['tables', 'read', 'evolving', '--limit', '1', '--config', file]);
    expect(parseJsonLineExact(linesOf(read.stdout)[0]!)).toMatchObject({ note: null });
  });

  it('refuses formats and options that are not built yet, naming them, and unknown tables', async () => {
    const pq = await runCli(['tables', 'register', 'pq', '--config', file]);
    expect(pq.code).toBe(2);
    expect(pq.stderr).toContain('virtualTables.pq: format parquet is not built yet');
    for (const [option, words] of [[['--where', 'number > 1'], '--where'], [['--format', 'csv'], '--format csv'], [['--since', '0'], '--since'], [['--explain'], '--explain']] as const) {
      const refused = await runCli(['tables', 'read', 'basic', ...option, '--config', file]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`not built yet: ${words}`);
      expect(refused.stdout).toBe('');
    }
    const unknown = await runCli(['tables', 'preview', 'nope', '--config', file]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('virtual table "nope" is not in the config');
  });
});
