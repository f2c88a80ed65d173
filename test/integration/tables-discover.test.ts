/**
 * `tables discover` against MinIO, on a lake written by the reference writers
 * (scripts/fixtures/make_discover_lake.py: deltalake, pyarrow with and without hive partitions,
 * fastavro, and pyiceberg's SqlCatalog writing to MinIO itself): it finds exactly those tables
 * with their formats and folders (and says why a folder of two formats, or of Parquet files above
 * a Delta table, is not one), names them around the config's entries, writes nothing without
 * --apply, and with --apply on a worker adds them to the config file (comments kept) and
 * registers them, so that `tables list` and `tables schema` show them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../config/load';
import { READABLE_FORMATS } from '../../tables/registry-ops';
import { jsonLines, ownStderr } from '../harness/cli-output';
import { minioSource, rootKeyEnv, runCli, withWorker } from '../harness/connector';
import { filesOf } from '../harness/delta-fixtures';
import { createBucket, putObjects } from '../harness/minio-admin';
import { testEnv } from '../harness/test-env';

const env = rootKeyEnv();
const root = resolve(__dirname, '..', '..');
const python = join(root, '.tools', 'venv', 'bin', 'python');

describe('tables discover', () => {
  let bucket: string;
  let wide: string;
  let dir: string;
  let configText: string;
  let file: string;
  const bytesOf = (folder: string, suffix: string) => filesOf(join(dir, folder), '').filter((f) => f.key.endsWith(suffix)).reduce((n, f) => n + f.body.length, 0);

  beforeAll(async () => {
    Object.assign(process.env, env);
    bucket = await createBucket('discover');
    dir = mkdtempSync(join(tmpdir(), 's3c-discover-'));
    if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
    const { minio } = testEnv();
    execFileSync(python, [join(root, 'scripts', 'fixtures', 'make_discover_lake.py'), dir, '--iceberg-warehouse', `s3://${bucket}/lake/warehouse`], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, S3_ENDPOINT: minio.endpoint, AWS_ACCESS_KEY_ID: minio.rootUser, AWS_SECRET_ACCESS_KEY: minio.rootPassword, AWS_REGION: 'us-east-1' },
    });
    await putObjects(bucket, filesOf(join(dir, 'lake'), 'lake/'));
    // Folders of more than one listing page: 1005 Parquet files (copies of one), and 1001 notes
    // with the subfolder holding a table in the second page.
    wide = await createBucket('discover-wide');
    const parquet = readFileSync(join(dir, 'lake', 'raw', 'events', 'part-0.parquet'));
    const avro = readFileSync(join(dir, 'lake', 'avro', 'logs', 'a.avro'));
    await putObjects(wide, [
      ...Array.from({ length: 1005 }, (_, i) => ({ key: `flat/part-${String(i).padStart(4, '0')}.parquet`, body: parquet })),
      ...Array.from({ length: 1001 }, (_, i) => ({ key: `docs/note-${String(i).padStart(4, '0')}.txt`, body: 'a note' })),
      { key: 'docs/zz/logs/a.avro', body: avro },
    ]);
    const storeRoot = mkdtempSync(join(tmpdir(), 's3c-discover-store-'));
    configText = [
      '# The lake of the discover test.',
      stringify({ datasetStore: storeRoot, sources: { src: minioSource(bucket), raw: minioSource(bucket, { url: `s3://${bucket}/lake/raw/` }), wide: minioSource(wide) } }).trimEnd(),
      '',
      '# Tables added by hand.',
      'virtualTables:',
      '  orders: # an older copy elsewhere: the name is taken',
      '    source: src',
      '    format: delta',
      '    location: old/orders/',
      '  my_clicks:',
      '    source: src',
      '    format: parquet',
      '    location: lake/raw/clicks # configured already: kept, not proposed again',
      '',
    ].join('\n');
    file = join(mkdtempSync(join(tmpdir(), 's3c-discover-config-')), 's3-connector.yaml');
    writeFileSync(file, configText);
  }, 180_000);

  const expected = () => [
    { name: 'logs', format: 'avro', location: 'lake/avro/logs/', files: 2, bytes: bytesOf('lake/avro/logs', '.avro'), partitionColumns: [], version: null, metadataFile: null, complete: true },
    { name: 'my_clicks', format: 'parquet', location: 'lake/raw/clicks/', files: 3, bytes: bytesOf('lake/raw/clicks', '.parquet'), partitionColumns: ['year', 'month'], version: null, metadataFile: null, complete: true },
    { name: 'events', format: 'parquet', location: 'lake/raw/events/', files: 2, bytes: bytesOf('lake/raw/events', '.parquet'), partitionColumns: [], version: null, metadataFile: null, complete: true },
    { name: 'sales_orders', format: 'delta', location: 'lake/sales/orders/', files: null, bytes: null, partitionColumns: [], version: 1, metadataFile: null, complete: true },
    { name: 'trips', format: 'iceberg', location: 'lake/warehouse/db/trips/', files: null, bytes: null, partitionColumns: [], version: null, metadataFile: expect.stringMatching(/^00001-.*\.metadata\.json$/), complete: true },
  ].map(({ name, format, location, ...rest }) => ({ type: 'proposal', name, format, source: 'src', location, identifier: null, foundBy: ['s3-walk'], ...rest }));

  it('finds exactly the Delta, Iceberg, Parquet and Avro tables, and writes nothing without --apply', async () => {
    const result = await runCli(['tables', 'discover', 'src', '--json', '--direct', '--config', file], env);
    expect(result.code).toBe(0);
    const status = (name: string) => (name === 'my_clicks' ? 'configured' : 'proposed');
    expect(jsonLines(result.stdout)).toEqual(expected().map((p) => ({ ...p, status: status(p.name) })));
    expect(ownStderr(result.stderr).split('\n')).toEqual([
      'skipped lake/mixed/: it holds both Parquet (1) and Avro (1) files; a table reads one format. Fix: move each format into a folder of its own',
      'skipped lake/nest/: a table\'s reader would read the data files of the table at lake/nest/inner/ with its own. Fix: move its own files into a folder of their own',
      `4 new tables found below the URL of source src; nothing written. To add them to ${file} and register them: s3-connector tables discover src --apply`,
      '',
    ]);
    expect(readFileSync(file, 'utf8')).toBe(configText);
  });

  it('prints a table for humans and says which limit cut the walk short', async () => {
    const human = await runCli(['tables', 'discover', 'src', 'lake/raw', '--direct', '--config', file], env);
    expect(human.code).toBe(0);
    const lines = human.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+FORMAT\s+FOUND BY\s+LOCATION\s+IDENTIFIER\s+FILES\s+BYTES\s+PARTITIONS \/ VERSION\s+STATUS$/);
    expect(lines[1]).toMatch(/^my_clicks\s+parquet\s+s3-walk\s+lake\/raw\/clicks\/\s+-\s+3\s+\d+\s+year,month\s+configured$/);
    expect(lines[2]).toMatch(/^events\s+parquet\s+s3-walk\s+lake\/raw\/events\/\s+-\s+2\s+\d+\s+-\s+proposed$/);
    expect(lines).toHaveLength(4);

    // Locations are below the source's URL, whatever its prefix; my_clicks is another source's.
    const below = await runCli(['tables', 'discover', 'raw', '--json', '--direct', '--config', file], env);
    expect(below.code).toBe(0);
    expect(jsonLines(below.stdout).map((p) => [p.name, p.source, p.location, p.status])).toEqual([
      ['clicks', 'raw', 'clicks/', 'proposed'], ['events', 'raw', 'events/', 'proposed'],
    ]);

    const shallow = await runCli(['tables', 'discover', 'src', '--max-depth', '1', '--json', '--direct', '--config', file], env);
    expect(shallow.code).toBe(0);
    expect(shallow.stdout).toBe('');
    expect(shallow.stderr).toContain('limit reached: folders deeper than 1 levels below the source URL were not listed (--max-depth)');

    const few = await runCli(['tables', 'discover', 'src', '--max-objects', '6', '--json', '--direct', '--config', file], env);
    expect(few.code).toBe(0);
    expect(few.stderr).toContain('limit reached: 6 entries listed (--max-objects 6)');
    expect(jsonLines(few.stdout).length).toBeLessThan(5);
  });

  it('stops at once when no worker polls the queue, naming --direct, and writes nothing', async () => {
    const result = await runCli(['tables', 'discover', 'src', '--apply', '--config', file, '--address', testEnv().temporalAddress, '--task-queue', `nobody-${Date.now()}`], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no worker polls task queue nobody-\d+ .*, or run it in this process with its credentials: --direct/);
    expect(readFileSync(file, 'utf8')).toBe(configText);
  });

  it('finds tables in folders of more than one listing page: a flat folder of 1005 files, a table below 1001 other files', async () => {
    const result = await runCli(['tables', 'discover', 'wide', '--json', '--direct', '--config', file], env);
    expect(result.code).toBe(0);
    const parquet = readFileSync(join(dir, 'lake', 'raw', 'events', 'part-0.parquet')).length;
    const avro = readFileSync(join(dir, 'lake', 'avro', 'logs', 'a.avro')).length;
    expect(jsonLines(result.stdout).map((p) => [p.name, p.format, p.location, p.files, p.bytes, p.complete])).toEqual([
      ['logs', 'avro', 'docs/zz/logs/', 1, avro, true], ['flat', 'parquet', 'flat/', 1005, 1005 * parquet, true],
    ]);
  }, 60_000);

  it('with --apply on a worker, adds the entries to the config, comments kept, and registers each table', async () => {
    const flags = (q: string) => ['--config', file, '--address', testEnv().temporalAddress, '--task-queue', q];
    // The worker runs with the config as it was: the new entries travel with the registrations.
    const worker = loadConfig(file).config;
    const [applied, list, schema, again] = await withWorker(worker, async (q) => [
      await runCli(['tables', 'discover', 'src', '--apply', '--json', ...flags(q)], env),
      await runCli(['tables', 'list', '--json', '--config', file], env),
      await runCli(['tables', 'schema', 'events', '--config', file], env),
      await runCli(['tables', 'discover', 'src', '--apply', ...flags(q)], env),
    ]);
    const icebergReadable = READABLE_FORMATS.includes('iceberg');
    const outcomes = jsonLines(applied.stdout);
    expect(outcomes.map((o) => [o.name, o.status])).toEqual([
      ['logs', 'registered'], ['my_clicks', 'configured'], ['events', 'registered'], ['sales_orders', 'registered'],
      ['trips', icebergReadable ? 'registered' : 'failed'],
    ]);
    expect(applied.code).toBe(icebergReadable ? 0 : 1);
    expect(applied.stderr).toContain(`4 tables added to ${file}; ${icebergReadable ? 4 : 3} registered, ${icebergReadable ? 0 : 1} failed`);

    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(configText.trimEnd())).toBe(true);
    expect(loadConfig(file).config.virtualTables).toEqual({
      orders: { source: 'src', format: 'delta', location: 'old/orders/' },
      my_clicks: { source: 'src', format: 'parquet', location: 'lake/raw/clicks' },
      logs: { source: 'src', format: 'avro', location: 'lake/avro/logs/' },
      events: { source: 'src', format: 'parquet', location: 'lake/raw/events/' },
      sales_orders: { source: 'src', format: 'delta', location: 'lake/sales/orders/' },
      trips: { source: 'src', format: 'iceberg', location: 'lake/warehouse/db/trips/' },
    });

    expect(list.code).toBe(0);
    const records = jsonLines(list.stdout);
    expect(records.map((r) => [r.name, r.format, r.fileCount])).toEqual([
      ['events', 'parquet', 2], ['logs', 'avro', 2], ['sales_orders', 'delta', 4], ...(icebergReadable ? [['trips', 'iceberg', 1]] : []),
    ]);
    expect(records.find((r) => r.name === 'sales_orders')).toMatchObject({ version: 1, partitionColumns: ['region'] });
    expect(schema.code).toBe(0);
    expect(schema.stdout).toContain('n       long');

    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`5 tables found below the URL of source src; nothing new to add to ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
