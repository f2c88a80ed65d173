/**
 * `tables discover` on sources with a catalog, against the test run's real servers: Apache
 * Iceberg's REST catalog server and moto's Glue, holding tables pyiceberg wrote in MinIO
 * (test/harness/catalog-fixtures.ts). Discover finds exactly the tables created below the
 * namespace it is given, each once although the S3 walk finds its folder too, skips Glue's
 * Parquet table naming why; --apply on a worker writes identifier: entries named around the
 * config's, registers them, and `tables list` and `tables read` then read them as pyiceberg does.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/load';
import { parseJsonLineExact } from '../../tables/serialize';
import { makeCatalogTables, PAT, type CatalogTables, type OracleRow } from '../harness/catalog-fixtures';
import { jsonLines, ownStderr } from '../harness/cli-output';
import { minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { testEnv } from '../harness/test-env';

const env = rootKeyEnv();
let tables: CatalogTables;
let file: string;
let bucket: string;

beforeAll(async () => {
  tables = await makeCatalogTables();
  bucket = testEnv().icebergRest.bucket;
  file = writeConfigFile({
    datasetStore: mkdtempSync(join(tmpdir(), 's3c-discover-catalog-store-')),
    sources: {
      rest: minioSource(bucket, { catalog: { type: 'rest', uri: testEnv().icebergRest.uri } }),
      glue: minioSource(bucket, { region: 'us-east-1', catalog: { type: 'glue', endpoint: testEnv().moto.endpoint } }),
    },
    // A name the catalog's orders would take: it is named around it.
    virtualTables: { orders: { source: 'rest', format: 'delta', location: 'old/orders/' } },
  });
}, 180_000);

afterAll(async () => {
  await tables?.front.close();
});

/** The folder below the bucket (the sources' URL) of a metadata location pyiceberg reported. */
const folderOf = (metadataLocation: string) => metadataLocation.slice(`s3://${bucket}/`.length).replace(/metadata\/[^/]+$/, '');
const fileOf = (metadataLocation: string) => metadataLocation.slice(metadataLocation.lastIndexOf('/') + 1);
/** The folder the S3 walk starts at: the parent of the namespace's tables' folders. */
const parentOf = (metadataLocation: string) => folderOf(metadataLocation).replace(/[^/]+\/$/, '');

/** A proposed Iceberg table: a catalog table the walk found too, or (identifier null) a folder of the walk alone. */
const proposal = (name: string, identifier: string | null, metadataLocation: string, source: string) => ({
  type: 'proposal', name, format: 'iceberg', source, location: folderOf(metadataLocation), identifier, foundBy: identifier === null ? ['s3-walk'] : ['catalog', 's3-walk'],
  files: null, bytes: null, partitionColumns: [], version: null, metadataFile: fileOf(metadataLocation), complete: true, status: 'proposed',
});

describe('tables discover on a source with a catalog', () => {
  it('finds exactly the REST catalog\'s tables below a namespace, nested ones too, each once although the S3 walk found its folder', async () => {
    const { ns, written } = tables;
    const result = await runCli(['tables', 'discover', 'rest', parentOf(written.rest.orders!), '--catalog-namespace', ns, '--json', '--direct', '--config', file], env);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    const found = jsonLines(result.stdout).sort((a, b) => String(a.identifier).localeCompare(String(b.identifier)));
    expect(found).toEqual([
      proposal('events', `${ns}.events`, written.rest.events!, 'rest'),
      proposal('deep', `${ns}.inner.deep`, written.rest.inner!, 'rest'),
      proposal(`${ns}_orders`, `${ns}.orders`, written.rest.orders!, 'rest'),
    ]);
    expect(ownStderr(result.stderr)).toContain(`catalog (rest): 3 Iceberg tables in 2 namespaces below ${ns}\n`);
    expect(readFileSync(file, 'utf8')).not.toContain(ns);
  }, 60_000);

  it('finds the Glue database\'s Iceberg table and skips its Parquet table, naming why', async () => {
    const { glueDb, written } = tables;
    const result = await runCli(['tables', 'discover', 'glue', parentOf(written.glue.orders!), '--catalog-namespace', glueDb, '--json', '--direct', '--config', file], env);
    expect(result.code).toBe(0);
    // The config's orders is another source's table, but the name is taken all the same.
    expect(jsonLines(result.stdout)).toEqual([proposal(`${glueDb}_orders`, `${glueDb}.orders`, written.glue.orders!, 'glue')]);
    expect(ownStderr(result.stderr).split('\n')).toEqual([
      `skipped catalog table ${glueDb}.plain_parquet: not an Iceberg table (Glue table_type EXTERNAL_TABLE, not ICEBERG)`,
      `catalog (glue): 1 Iceberg table in 1 namespace below ${glueDb}`,
      `1 new table found below ${parentOf(written.glue.orders!)} of source glue; nothing written. To add it to ${file} and register it: s3-connector tables discover glue ${parentOf(written.glue.orders!)} --apply`,
      '',
    ]);
  }, 60_000);

  it('says when the catalog table limit is reached, and walks the folders alone with --no-catalog', async () => {
    const { ns, written } = tables;
    const few = await runCli(['tables', 'discover', 'rest', parentOf(written.rest.orders!), '--catalog-namespace', ns, '--max-catalog-tables', '1', '--json', '--direct', '--config', file], env);
    expect(few.code).toBe(0);
    expect(few.stderr).toContain('limit reached: 1 catalog tables listed (--max-catalog-tables)');
    expect(jsonLines(few.stdout).filter((p) => p.identifier !== null)).toHaveLength(1);

    const walkOnly = await runCli(['tables', 'discover', 'rest', parentOf(written.rest.orders!), '--no-catalog', '--json', '--direct', '--config', file], env);
    expect(walkOnly.code).toBe(0);
    expect(jsonLines(walkOnly.stdout).map((p) => [p.location, p.identifier, p.foundBy])).toEqual(
      [written.rest.events!, written.rest.inner!, written.rest.orders!].map((m) => [folderOf(m), null, ['s3-walk']]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  }, 60_000);

  it('with --apply on a worker, writes identifier: entries, registers them, and tables list and read then work on them as pyiceberg reads them', async () => {
    const { ns, glueDb, written } = tables;
    const flags = (q: string) => ['--config', file, '--address', testEnv().temporalAddress, '--task-queue', q];
    // The worker runs with the config as it was: the new entries travel with the registrations.
    const [rest, glue, list] = await withWorker(loadConfig(file).config, async (q) => [
      await runCli(['tables', 'discover', 'rest', parentOf(written.rest.orders!), '--catalog-namespace', ns, '--apply', '--json', ...flags(q)], env),
      await runCli(['tables', 'discover', 'glue', parentOf(written.glue.orders!), '--catalog-namespace', glueDb, '--apply', '--json', ...flags(q)], env),
      await runCli(['tables', 'list', '--json', '--config', file], env),
    ]);
    expect(rest.stderr).toContain(`3 tables added to ${file}; 3 registered, 0 failed`);
    expect(jsonLines(rest.stdout).map((p) => p.status)).toEqual(['registered', 'registered', 'registered']);
    expect(rest.code).toBe(0);
    expect(glue.code).toBe(0);
    expect(loadConfig(file).config.virtualTables).toEqual({
      orders: { source: 'rest', format: 'delta', location: 'old/orders/' },
      events: { source: 'rest', format: 'iceberg', identifier: `${ns}.events` },
      deep: { source: 'rest', format: 'iceberg', identifier: `${ns}.inner.deep` },
      [`${ns}_orders`]: { source: 'rest', format: 'iceberg', identifier: `${ns}.orders` },
      [`${glueDb}_orders`]: { source: 'glue', format: 'iceberg', identifier: `${glueDb}.orders` },
    });

    expect(list.code).toBe(0);
    const records = jsonLines(list.stdout);
    expect(records.map((r) => [r.name, r.format, r.url]).sort()).toEqual([
      ['deep', 'iceberg', `s3://${bucket}/${folderOf(written.rest.inner!)}`],
      ['events', 'iceberg', `s3://${bucket}/${folderOf(written.rest.events!)}`],
      [`${glueDb}_orders`, 'iceberg', `s3://${bucket}/${folderOf(written.glue.orders!)}`],
      [`${ns}_orders`, 'iceberg', `s3://${bucket}/${folderOf(written.rest.orders!)}`],
    ].sort());

    // Read on a worker started with the new config, and in this process.
    const onWorker = await withWorker(loadConfig(file).config, (q) => runCli(['tables', 'read', `${ns}_orders`, ...flags(q)], env));
    const direct = await runCli(['tables', 'read', `${glueDb}_orders`, '--direct', '--config', file], env);
    const order = (a: OracleRow, b: OracleRow) => (a.id + (a.name ?? '')).localeCompare(b.id + (b.name ?? ''));
    for (const [read, oracle] of [[onWorker, written.rows.rest], [direct, written.rows.glue]] as const) {
      expect(ownStderr(read.stderr)).toMatch(/^4 rows of table \S+_orders snapshot \d+/);
      expect(read.code).toBe(0);
      // Parsed exactly: the long 9007199254740993 is beyond a double's integers.
      const rows = read.stdout.split('\n').filter((l) => l !== '').map((l) => parseJsonLineExact(l) as { id: bigint; name: string | null })
        .map((r) => ({ id: String(r.id), name: r.name }));
      expect(rows.sort(order)).toEqual([...oracle].sort(order));
      expect(rows.map((r) => r.id)).toContain('9007199254740993');
    }

    // Discovered again: each is the configured entry now, nothing new.
    const again = await runCli(['tables', 'discover', 'rest', parentOf(written.rest.orders!), '--catalog-namespace', ns, '--json', '--direct', '--config', file], env);
    expect(jsonLines(again.stdout).map((p) => [p.name, p.status]).sort()).toEqual([['deep', 'configured'], ['events', 'configured'], [`${ns}_orders`, 'configured']].sort());
  }, 120_000);

  it('finds a Unity catalog schema\'s tables by catalog.schema.table through the prefixing front, and the nested table, which Unity does not list, by the S3 walk alone', async () => {
    const { ns, written } = tables;
    const unity = writeConfigFile({ sources: { u: minioSource(bucket, { catalog: { type: 'unity', uri: tables.front.uri, token: '${env:TEST_UNITY_TOKEN}' } }) } });
    const result = await runCli(['tables', 'discover', 'u', parentOf(written.rest.orders!), '--catalog-namespace', `main.${ns}`, '--json', '--direct', '--config', unity], { ...env, TEST_UNITY_TOKEN: PAT });
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([
      proposal('deep', null, written.rest.inner!, 'u'),
      proposal('events', `main.${ns}.events`, written.rest.events!, 'u'),
      proposal('orders', `main.${ns}.orders`, written.rest.orders!, 'u'),
    ]);
    expect(result.stdout).not.toContain(PAT);
    expect(result.stderr).not.toContain(PAT);
  }, 60_000);

  it('takes a files catalog\'s tables from the walk\'s Iceberg folders below its warehouse, shown by identifier in the table for humans', async () => {
    const { filesNs, written } = tables;
    const files = writeConfigFile({ sources: { f: minioSource(bucket, { catalog: { type: 'files', warehousePath: 'files-warehouse/' } }) } });
    // Below the run's own namespace folder: other tests' namespaces share the warehouse.
    const json = await runCli(['tables', 'discover', 'f', `files-warehouse/${filesNs}`, '--catalog-namespace', filesNs, '--json', '--direct', '--config', files], env);
    expect(json.code).toBe(0);
    expect(jsonLines(json.stdout)).toEqual([proposal('orders', `${filesNs}.orders`, written.files.orders!, 'f')]);
    const human = await runCli(['tables', 'discover', 'f', `files-warehouse/${filesNs}`, '--direct', '--config', files], env);
    expect(human.code).toBe(0);
    const lines = human.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+FORMAT\s+FOUND BY\s+LOCATION\s+IDENTIFIER\s+FILES\s+BYTES\s+PARTITIONS \/ VERSION\s+STATUS$/);
    expect(lines[1]).toBe(`orders  iceberg  catalog+s3-walk  ${folderOf(written.files.orders!)}  ${filesNs}.orders  -      -      ${fileOf(written.files.orders!)}  proposed`);
    expect(human.stderr).toContain(`catalog (files): 1 Iceberg table in 1 namespace\n`);
  }, 60_000);

  it('refuses a unity source without the catalog to list, naming --catalog-namespace, and a namespace with an empty part, before anything runs', async () => {
    const unity = writeConfigFile({ sources: { u: minioSource(bucket, { catalog: { type: 'unity', uri: tables.front.uri, token: '${env:TEST_UNITY_TOKEN}' } }) } });
    const result = await runCli(['tables', 'discover', 'u', '--direct', '--config', unity], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('sources.u.catalog is a unity catalog, whose Iceberg endpoint lists the schemas of one catalog at a time. Fix: name it with --catalog-namespace CATALOG_NAME');
    const empty = await runCli(['tables', 'discover', 'u', '--catalog-namespace', 'main..x', '--direct', '--config', unity], env);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--catalog-namespace "main..x" has an empty part');
  });
});
