/**
 * `tables discover`'s catalog side without a server: a catalog's tables merged with the S3 walk's
 * folders (one proposal per table), named around the config and the walk's names, bounded, and
 * written by identifier. The catalogs themselves are tested against the real servers
 * (test/integration/tables-discover-catalog.test.ts); here a catalog is a list in memory.
 */
import { parseDocument } from 'yaml';
import type { CatalogTable, CatalogTableName, IcebergCatalog } from '../../tables/catalogs';
import { CatalogError } from '../../tables/catalogs';
import type { DiscoveredTable } from '../../tables/discover';
import { filesCatalogFinds, listCatalogTables, mergeCatalogTables, namespaceParts, type CatalogFind } from '../../tables/discover-catalog';
import { addTableEntries } from '../../tables/discover-config';
import { proposeNames } from '../../tables/discover-names';

const walked = (location: string, format: DiscoveredTable['format'] = 'iceberg'): DiscoveredTable => ({ format, location, foundBy: ['s3-walk'], complete: true });
const find = (identifier: string, location: string, folders = [location]): CatalogFind => ({
  table: { format: 'iceberg', location, identifier, foundBy: ['catalog'], metadataFile: 'v1.metadata.json', complete: true }, folders,
});

describe('catalog tables merged with the S3 walk', () => {
  it('proposes a catalog table whose folder the walk found once, as the catalog table found by both', () => {
    const merged = mergeCatalogTables(
      [walked('wh/db/orders/'), walked('wh/db/events', 'parquet'), walked('wh/other/t/')],
      [find('db.orders', 'wh/db/orders/'), find('db.far', 'elsewhere/far/')],
    );
    expect(merged.map((t) => [t.location, t.identifier, t.foundBy])).toEqual([
      ['wh/db/events', undefined, ['s3-walk']],
      ['wh/other/t/', undefined, ['s3-walk']],
      ['wh/db/orders/', 'db.orders', ['catalog', 's3-walk']],
      ['elsewhere/far/', 'db.far', ['catalog']],
    ]);
  });

  it('matches by the folder above the metadata file too, when the catalog reports another table location, and never a data table', () => {
    const merged = mergeCatalogTables([walked('meta/t'), walked('data/t/', 'parquet')], [find('db.t', 'data/t/', ['data/t/', 'meta/t/'])]);
    expect(merged.map((t) => [t.location, t.foundBy.join('+')])).toEqual([['data/t/', 's3-walk'], ['data/t/', 'catalog+s3-walk']]);
  });

  it('takes a files catalog\'s tables from the walk\'s Iceberg folders below its warehouse, by folder names joined with dots', () => {
    const tables = [walked('wh/a/b/t/'), walked('wh/a/u/'), walked('wh/top/'), walked('wh/x.y/t/'), walked('other/a/t/'), walked('wh/a/p/', 'parquet')];
    expect(filesCatalogFinds(tables, 'wh', []).map((f) => f.table.identifier)).toEqual(['a.b.t', 'a.u']);
    expect(filesCatalogFinds(tables, 'wh/', ['a', 'b']).map((f) => [f.table.identifier, f.folders])).toEqual([['a.b.t', ['wh/a/b/t/']]]);
  });

  it('reads a namespace written with dots, refusing an empty part', () => {
    expect(namespaceParts('main.sales')).toEqual(['main', 'sales']);
    expect(namespaceParts(undefined)).toEqual([]);
    expect(() => namespaceParts('a..b')).toThrow('--catalog-namespace "a..b" has an empty part');
  });
});

describe('catalog tables named and written', () => {
  it('names a catalog table after its table name, then namespace_table, then numbered, around the config and the walk\'s names', () => {
    const proposals = proposeNames('lake', [
      walked('raw/orders/', 'parquet'), { ...find('sales.orders', 'wh/sales/orders/').table }, { ...find('eu.sales.orders', 'wh/eu/orders/').table },
      { ...find('main.db.events', 'wh/db/events/').table }, { ...find('db.kept', 'wh/db/kept/').table }, { ...find('db.byfolder', 'wh/db/byfolder/').table },
    ], {
      events: { source: 'lake', format: 'parquet', location: 'x/' },
      mine: { source: 'lake', format: 'iceberg', identifier: 'db.kept' },
      old: { source: 'lake', format: 'iceberg', location: 'wh/db/byfolder' },
    });
    expect(proposals.map((p) => [p.name, p.configured])).toEqual([
      ['orders', false], ['sales_orders', false], ['orders_2', false], ['db_events', false], ['mine', true], ['old', true],
    ]);
  });

  it('writes a catalog table\'s entry by identifier, without its folder', () => {
    const text = 'sources:\n  lake:\n    url: s3://bucket/\n    endpoint: http://127.0.0.1:9000\n    credentials: { type: accessKey, accessKeyId: "${env:K}", secretAccessKey: "${env:S}" }\n'
      + '    catalog: { type: glue, region: us-east-1 }\nvirtualTables:\n  a:\n    source: lake\n    format: iceberg\n    identifier: db.a\n';
    const [p] = proposeNames('lake', [find('db.orders', 'wh/db/orders/').table], {});
    const { text: out } = addTableEntries(text, [p!]);
    expect(out).toBe(`${text}  orders:\n    source: lake\n    format: iceberg\n    identifier: db.orders\n`);
    expect(parseDocument(out).toJS().virtualTables.orders).toEqual({ source: 'lake', format: 'iceberg', identifier: 'db.orders' });
  });
});

/** A catalog over tables in memory, as the REST protocol nests them; `fail` makes loadTable throw for one table. */
function memoryCatalog(type: IcebergCatalog['type'], tables: Record<string, string>, fail: Record<string, CatalogError> = {}): IcebergCatalog & { listed: string[] } {
  const names = Object.keys(tables).map((id) => id.split('.'));
  const listed: string[] = [];
  return {
    field: 'sources.lake.catalog', type, listed,
    async loadTable(identifier: string): Promise<CatalogTable> {
      if (fail[identifier]) throw fail[identifier];
      return { identifier, metadataLocation: tables[identifier]!, credentials: { accessKeyId: 'AK', secretAccessKey: 'vended-secret' } };
    },
    async listNamespaces(parent: string[] = []) {
      listed.push(`ns:${parent.join('.')}`);
      const seen = new Map<string, string[]>();
      for (const n of names) if (n.length - 1 > parent.length && parent.every((p, i) => n[i] === p)) seen.set(n.slice(0, parent.length + 1).join('.'), n.slice(0, parent.length + 1));
      return [...seen.values()];
    },
    async listTables(namespace: string[], skipped?: (t: CatalogTableName, reason: string) => void) {
      listed.push(`tables:${namespace.join('.')}`);
      if (namespace.join('.') === 'db') skipped?.({ namespace, name: 'hive' }, 'not an Iceberg table (Glue table_type EXTERNAL_TABLE, not ICEBERG)');
      return names.filter((n) => n.length - 1 === namespace.length && namespace.every((p, i) => n[i] === p)).map((n) => ({ namespace: n.slice(0, -1), name: n.at(-1)! }));
    },
  };
}

describe('a catalog listed for discovery', () => {
  const client = { name: 'lake', bucket: 'b', prefix: 'lake/' };
  const tables = {
    'db.orders': 's3://b/lake/wh/db/orders/metadata/00002-x.metadata.json',
    'db.events': 's3://b/lake/wh/db/events/metadata/v1.metadata.json',
    'db.inner.deep': 's3://b/lake/wh/db/inner/deep/metadata/v3.metadata.json',
    'other.far': 's3://elsewhere/far/metadata/v1.metadata.json',
  };

  it('walks nested namespaces, loads each table for its folder and metadata file, and skips what cannot be read here with the reason', async () => {
    const found = await listCatalogTables(memoryCatalog('rest', tables), client, [], 10);
    expect(found.finds.map((f) => [f.table.identifier, f.table.location, f.table.metadataFile])).toEqual([
      ['db.orders', 'wh/db/orders/', '00002-x.metadata.json'], ['db.events', 'wh/db/events/', 'v1.metadata.json'], ['db.inner.deep', 'wh/db/inner/deep/', 'v3.metadata.json'],
    ]);
    expect(found.skipped).toEqual([
      { identifier: 'db.hive', reason: 'not an Iceberg table (Glue table_type EXTERNAL_TABLE, not ICEBERG)' },
      { identifier: 'other.far', reason: expect.stringMatching(/^its folder s3:\/\/elsewhere\/far\/ is outside source "lake" \(s3:\/\/b\/lake\/\).*Fix: discover it on a source whose url covers/) },
    ]);
    expect(found.namespaces).toBe(3);
    expect(found.limits).toEqual({});
    // The vended keys stay in the catalog client: the result travels through workflow history.
    expect(JSON.stringify(found)).not.toContain('vended-secret');
  });

  it('stops at the table limit, saying so, and lists below a namespace only', async () => {
    const catalog = memoryCatalog('rest', tables);
    const found = await listCatalogTables(catalog, client, ['db'], 2);
    expect(found.finds.map((f) => f.table.identifier)).toEqual(['db.orders', 'db.events']);
    expect(found.limits).toEqual({ maxCatalogTables: 2 });
    // Listed on until a table beyond the limit shows there are more.
    expect(catalog.listed).toEqual(['tables:db', 'ns:db', 'tables:db.inner']);
  });

  it('skips a table its catalog refuses, and fails the walk when the catalog is unavailable (to be retried)', async () => {
    const refused = new CatalogError('CatalogBadReply', 'sources.lake.catalog: load table db.events: the reply has no metadata-location');
    const found = await listCatalogTables(memoryCatalog('rest', tables, { 'db.events': refused }), client, ['db'], 10);
    expect(found.finds.map((f) => f.table.identifier)).toEqual(['db.orders', 'db.inner.deep']);
    expect(found.skipped).toContainEqual({ identifier: 'db.events', reason: refused.message });
    const down = new CatalogError('CatalogUnavailable', 'the catalog is unavailable (HTTP 503)');
    await expect(listCatalogTables(memoryCatalog('rest', tables, { 'db.events': down }), client, ['db'], 10)).rejects.toBe(down);
  });

  it('lists Glue\'s flat databases only, and refuses a nested namespace there', async () => {
    const catalog = memoryCatalog('glue', tables);
    const found = await listCatalogTables(catalog, client, [], 10);
    expect(found.finds.map((f) => f.table.identifier)).toEqual(['db.orders', 'db.events']);
    expect(catalog.listed).toEqual(['ns:', 'tables:db', 'tables:other']);
    await expect(listCatalogTables(catalog, client, ['db', 'inner'], 10)).rejects.toThrow("--catalog-namespace db.inner: Glue's databases do not nest");
  });
});
