/**
 * `sources.NAME.catalog` in the config (config/source-schema.ts) and catalog table identifiers
 * (config/schema.ts): each kind of mistake is reported naming the field, the problem and the fix.
 */
import { parseConfig } from '../../config/load';
import { configProblems as problems } from '../harness/config-problems';

const source = { url: 's3://lake/', endpoint: 'http://127.0.0.1:9000', credentials: { type: 'cloudIdentity' } };


describe('sources.NAME.catalog', () => {
  it('accepts each catalog type in its documented shape, with the defaults filled in', () => {
    const { config } = parseConfig({
      sources: {
        files: { ...source, catalog: { type: 'files', warehousePath: 'warehouse/' } },
        glue: { ...source, region: 'eu-west-1', catalog: { type: 'glue', catalogId: '123456789012' } },
        rest: { ...source, catalog: { type: 'rest', uri: 'https://catalog.example.com/api/catalog', credential: { clientId: 'c', clientSecret: '${env:S}' } } },
        unity: { ...source, catalog: { type: 'unity', uri: 'https://ws.cloud.databricks.com/api/2.1/unity-catalog/iceberg-rest', token: '${file:/run/pat}' } },
      },
      virtualTables: {
        a: { source: 'glue', format: 'iceberg', identifier: 'sales.orders' },
        b: { source: 'unity', format: 'iceberg', identifier: 'main.sales.orders' },
        c: { source: 'rest', format: 'iceberg', identifier: 'a.b.orders' },
      },
    });
    expect(config.sources.rest!.catalog).toEqual({ type: 'rest', uri: 'https://catalog.example.com/api/catalog', credential: { clientId: 'c', clientSecret: '${env:S}' }, scope: 'catalog' });
    expect(config.sources.files!.catalog).toEqual({ type: 'files', warehousePath: 'warehouse/' });
  });

  it.each([
    ['an unknown catalog type', { type: 'hive' }, 'sources.s.catalog.type', /one of files, glue, rest, unity\. Fix:/],
    ['a files catalog without warehousePath', { type: 'files' }, 'sources.s.catalog.warehousePath', /is required\. Fix: write the folder/],
    ['a warehousePath escaping the source', { type: 'files', warehousePath: '../other/' }, 'sources.s.catalog.warehousePath', /without "\.\."\. Fix:/],
    ['a rest catalog without uri', { type: 'rest' }, 'sources.s.catalog.uri', /is required\. Fix: write the catalog's URL/],
    ['a rest uri that is not http(s)', { type: 'rest', uri: 'thrift://metastore:9083' }, 'sources.s.catalog.uri', /not an http\(s\) URL\. Fix:/],
    ['a rest catalog with both token and credential', { type: 'rest', uri: 'https://c', token: 't', credential: { clientId: 'c', clientSecret: 's' } }, 'sources.s.catalog', /both token and credential\. Fix: keep one/],
    ['a malformed token reference', { type: 'rest', uri: 'https://c', token: '${env:TOKEN' }, 'sources.s.catalog.token', /\$\{env:NAME\}/],
    ['a unity catalog without its token', { type: 'unity', uri: 'https://ws/api/2.1/unity-catalog/iceberg-rest' }, 'sources.s.catalog.token', /is required\. Fix:/],
    ['a glue catalog without any region', { type: 'glue' }, 'sources.s.catalog.region', /required for a glue catalog.*Fix: set catalog\.region/],
    ['a glue catalogId that is not an account', { type: 'glue', region: 'us-east-1', catalogId: 'mine' }, 'sources.s.catalog.catalogId', /12 digits/],
    ['a catalog at the instance metadata address', { type: 'rest', uri: 'http://169.254.169.254/v1' }, 'sources.s.catalog.uri', /metadata.*allowLinkLocalEndpoint/],
    ['an unknown field', { type: 'glue', region: 'us-east-1', warehouse: 'x' }, 'sources.s.catalog.warehouse', /not a known field/],
  ])('reports %s, naming the field and the fix', (_what, catalog, path, message) => {
    const found = problems({ sources: { s: { ...source, catalog } } });
    expect(found.map((p) => p.path)).toContain(path);
    expect(found.find((p) => p.path === path)?.message).toMatch(message);
  });

  it.each([
    ['glue', { type: 'glue', region: 'us-east-1' }, 'a.b.c', /not a glue catalog table name\. Fix: write database_name\.table_name/],
    ['unity', { type: 'unity', uri: 'https://ws/x', token: 't' }, 'sales.orders', /Fix: write catalog_name\.schema_name\.table_name/],
    ['rest', { type: 'rest', uri: 'https://c' }, 'orders', /Fix: write namespace\.table_name/],
    ['files', { type: 'files', warehousePath: '' }, 'sales..orders', /not a files catalog table name/],
  ])('refuses an identifier not of the %s catalog\'s form', (_type, catalog, identifier, message) => {
    const found = problems({ sources: { s: { ...source, catalog } }, virtualTables: { t: { source: 's', format: 'iceberg', identifier } } });
    expect(found).toEqual([{ path: 'virtualTables.t.identifier', message: expect.stringMatching(message) }]);
  });
});
