/**
 * The Iceberg catalogs (tables/catalogs/) against real catalogs: Apache Iceberg's REST catalog
 * server (its warehouse in the test MinIO), moto's AWS Glue, and a files warehouse in MinIO, each
 * holding tables pyiceberg wrote (test/harness/catalog-fixtures.ts). Every identifier resolves to
 * the metadata location pyiceberg reports; listings match; a missing table, a bad token and a
 * Glue table that is not Iceberg are refused by name; requests follow the source's proxy. Unity's
 * path form and token checks go through a thin front to the REST server
 * (test/harness/iceberg-rest-front.ts), which serves no URL prefix and accepts any token itself.
 */
import { discoverCatalogTables, identifierOf } from '../../tables/catalogs';
import { catalogFor, makeCatalogTables, PAT, refusal, type CatalogTables } from '../harness/catalog-fixtures';
import { startIcebergRestFront, type IcebergRestFront } from '../harness/iceberg-rest-front';
import { startTinyproxy } from '../harness/tinyproxy';
import { testEnv } from '../harness/test-env';

let ns: string;
let glueDb: string;
let filesNs: string;
let written: CatalogTables['written'];
let front: IcebergRestFront;
let tables: CatalogTables;

beforeAll(async () => {
  tables = await makeCatalogTables();
  ({ ns, glueDb, filesNs, written, front } = tables);
}, 180_000);

afterAll(async () => {
  await front?.close();
});

describe('the rest catalog against Apache Iceberg\'s REST catalog server', () => {
  const rest = () => catalogFor({ type: 'rest', uri: testEnv().icebergRest.uri });

  test('resolves a table to the metadata location pyiceberg reports after its last commit, with the credentials the server vends', async () => {
    const table = await rest().loadTable(`${ns}.orders`);
    expect(table.metadataLocation).toBe(written.rest.orders);
    expect(table.metadataLocation).toMatch(/^s3:\/\/iceberg-catalog\/warehouse\/.*\/metadata\/00002-[0-9a-f-]+\.metadata\.json$/);
    expect(table.credentials).toEqual({ accessKeyId: testEnv().minio.rootUser, secretAccessKey: testEnv().minio.rootPassword });
  });

  test('resolves a table of a nested namespace (a.b.table)', async () => {
    expect((await rest().loadTable(`${ns}.inner.deep`)).metadataLocation).toBe(written.rest.inner);
  });

  test('lists the namespaces and tables pyiceberg created, nested ones included, for discovery', async () => {
    const catalog = rest();
    expect(await catalog.listNamespaces()).toContainEqual([ns]);
    expect(await catalog.listNamespaces([ns])).toEqual([[ns, 'inner']]);
    expect((await catalog.listTables([ns])).map(identifierOf).sort()).toEqual([`${ns}.events`, `${ns}.orders`]);
    const found = (await discoverCatalogTables(catalog)).map(identifierOf).filter((id) => id.startsWith(`${ns}.`)).sort();
    expect(found).toEqual([`${ns}.events`, `${ns}.inner.deep`, `${ns}.orders`]);
  });

  test('a table the catalog does not hold fails as no such table, naming the catalog and the identifier', async () => {
    const error = await refusal(rest().loadTable(`${ns}.missing`));
    expect(error.catalogCode).toBe('CatalogNoSuchTable');
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('sources.lake.catalog');
    expect(error.message).toContain(`load table ${ns}.missing`);
    expect(error.message).toContain('Fix:');
  });

  test('OAuth2 client credentials: the token from the server\'s /v1/oauth/tokens is the bearer of the catalog requests', async () => {
    const catalog = catalogFor({
      type: 'rest', uri: front.uri, warehouse: 'main',
      credential: { clientId: tables.oauthClient, clientSecret: '${env:TEST_OAUTH_SECRET}' },
      oauth2ServerUri: `${testEnv().icebergRest.uri}/v1/oauth/tokens`,
    });
    const before = front.seenTokens.length;
    expect((await catalog.loadTable(`${ns}.orders`)).metadataLocation).toBe(written.rest.orders);
    expect(new Set(front.seenTokens.slice(before))).toEqual(new Set([`Bearer client-credentials-token:sub=${tables.oauthClient}`]));
  });

  test('a token the catalog refuses fails as unauthorized, naming the token field and never its value', async () => {
    process.env.TEST_BAD_TOKEN = 'wrong-token-value';
    const catalog = catalogFor({ type: 'rest', uri: front.uri, warehouse: 'main', token: '${env:TEST_BAD_TOKEN}' });
    const error = await refusal(catalog.loadTable(`${ns}.orders`));
    expect(error.catalogCode).toBe('CatalogUnauthorized');
    expect(error.status).toBe(401);
    expect(error.message).toContain('sources.lake.catalog.token');
    expect(error.message).not.toContain('wrong-token-value');
  });
});

describe('the base URL and prefix a REST catalog\'s /v1/config names', () => {
  test('are followed: the catalog\'s paths move to the uri it names, without a prefix', async () => {
    const moved = await startIcebergRestFront(testEnv().icebergRest.uri, 'main', [PAT], { uri: testEnv().icebergRest.uri, prefix: '' });
    try {
      const catalog = catalogFor({ type: 'rest', uri: moved.uri, warehouse: 'main', token: '${env:TEST_UNITY_TOKEN}' });
      expect((await catalog.loadTable(`${ns}.orders`)).metadataLocation).toBe(written.rest.orders);
      // The front saw /v1/config only: the table was loaded from the server the uri named.
      expect(moved.seenTokens).toHaveLength(1);
    } finally {
      await moved.close();
    }
  });

  test('are refused when the uri is the instance metadata address, unless the source allows link-local endpoints', async () => {
    const moved = await startIcebergRestFront(testEnv().icebergRest.uri, 'main', [PAT], { uri: 'http://169.254.169.254/latest' });
    try {
      const error = await refusal(catalogFor({ type: 'rest', uri: moved.uri, warehouse: 'main', token: '${env:TEST_UNITY_TOKEN}' }).loadTable(`${ns}.orders`));
      expect(error.catalogCode).toBe('CatalogBadReply');
      expect(error.message).toMatch(/names the base URL "http:\/\/169\.254\.169\.254\/latest", which is .*link-local.*Fix:.*allowLinkLocalEndpoint/);
    } finally {
      await moved.close();
    }
  });
});

describe('the unity catalog (Unity\'s Iceberg REST path form, through the prefixing front)', () => {
  const unity = (token = '${env:TEST_UNITY_TOKEN}') => catalogFor({ type: 'unity', uri: front.uri, token });

  test('resolves catalog_name.schema_name.table_name to the metadata location pyiceberg reports', async () => {
    expect((await unity().loadTable(`main.${ns}.orders`)).metadataLocation).toBe(written.rest.orders);
  });

  test('lists a catalog\'s schemas and their tables with the catalog name in front', async () => {
    const catalog = unity();
    expect(await catalog.listNamespaces(['main'])).toContainEqual(['main', ns]);
    expect((await catalog.listTables(['main', ns])).map(identifierOf).sort()).toEqual([`main.${ns}.events`, `main.${ns}.orders`]);
  });

  test('a catalog name the workspace does not have fails as not found; a bad personal access token as unauthorized', async () => {
    expect((await refusal(unity().loadTable(`other.${ns}.orders`))).catalogCode).toBe('CatalogNoSuchTable');
    const bad = await refusal(unity('not-the-pat').loadTable(`main.${ns}.orders`));
    expect(bad.catalogCode).toBe('CatalogUnauthorized');
    expect(bad.message).not.toContain('not-the-pat');
  });
});

describe('the glue catalog against moto\'s AWS Glue', () => {
  const glue = () => catalogFor({ type: 'glue', endpoint: testEnv().moto.endpoint }, { region: 'us-east-1' });

  test('resolves database_name.table_name to the metadata location pyiceberg reports (Parameters.metadata_location)', async () => {
    const table = await glue().loadTable(`${glueDb}.orders`);
    expect(table.metadataLocation).toBe(written.glue.orders);
    expect(table.metadataLocation.startsWith(`s3://${testEnv().icebergRest.bucket}/glue/${glueDb}/`)).toBe(true);
  });

  test('a table that is not Iceberg is refused by name, with its table type', async () => {
    const error = await refusal(glue().loadTable(`${glueDb}.plain_parquet`));
    expect(error.catalogCode).toBe('CatalogNotIceberg');
    expect(error.message).toContain(`table ${glueDb}.plain_parquet is not an Iceberg table`);
  });

  test('lists databases and only the Iceberg tables of a database', async () => {
    const catalog = glue();
    expect(await catalog.listNamespaces()).toContainEqual([glueDb]);
    expect((await catalog.listTables([glueDb])).map(identifierOf)).toEqual([`${glueDb}.orders`]);
  });

  test('a table Glue does not hold fails as no such table', async () => {
    const error = await refusal(glue().loadTable(`${glueDb}.missing`));
    expect(error.catalogCode).toBe('CatalogNoSuchTable');
    expect(error.message).toContain(`GetTable ${glueDb}.missing`);
  });
});

describe('the files catalog over a warehouse folder in MinIO', () => {
  const files = () => catalogFor({ type: 'files', warehousePath: 'files-warehouse/' });

  test('resolves namespace.table to the newest <N>-<uuid>.metadata.json, the one pyiceberg reports', async () => {
    expect((await files().loadTable(`${filesNs}.orders`)).metadataLocation).toBe(written.files.orders);
  });

  test('lists the table folders of the warehouse', async () => {
    const found = (await discoverCatalogTables(files())).map(identifierOf);
    expect(found).toContain(`${filesNs}.orders`);
  });

  test('a folder without metadata fails as no such table', async () => {
    expect((await refusal(files().loadTable(`${filesNs}.missing`))).catalogCode).toBe('CatalogNoSuchTable');
  });
});

describe('catalogs behind the source\'s proxy', () => {
  test('REST catalog and Glue requests go through the source\'s proxy with its basic auth, and a 407 from the proxy is named as the proxy\'s', async () => {
    const proxy = await startTinyproxy({ user: 'catalog', password: 'proxy-secret' });
    try {
      process.env.TEST_CATALOG_PROXY_PASSWORD = 'proxy-secret';
      const viaProxy = { host: '127.0.0.1', port: proxy.port, protocol: 'HTTP', credentials: { username: 'catalog', password: '${env:TEST_CATALOG_PROXY_PASSWORD}' } };
      const rest = catalogFor({ type: 'rest', uri: testEnv().icebergRest.uri }, { proxy: viaProxy });
      expect((await rest.loadTable(`${ns}.orders`)).metadataLocation).toBe(written.rest.orders);
      const glue = catalogFor({ type: 'glue', endpoint: testEnv().moto.endpoint }, { proxy: viaProxy, region: 'us-east-1' });
      expect((await glue.loadTable(`${glueDb}.orders`)).metadataLocation).toBe(written.glue.orders);
      const log = proxy.log();
      // Absolute-URI forwarding: tinyproxy logs "Request (file descriptor N): GET http://127.0.0.1:PORT/v1/... HTTP/1.1".
      const restPort = new URL(testEnv().icebergRest.uri).port;
      expect(log).toMatch(new RegExp(`Request .*: GET http://127\\.0\\.0\\.1:${restPort}/v1/config`));
      expect(log).toMatch(new RegExp(`Request .*: GET http://127\\.0\\.0\\.1:${restPort}/v1/namespaces/${ns}/tables/orders`));
      expect(log).toMatch(new RegExp(`Request .*: POST http://127\\.0\\.0\\.1:${new URL(testEnv().moto.endpoint).port}/`));
      // Without the proxy's credentials tinyproxy answers 407: the proxy is named, not the catalog's token.
      const anonymous = { host: viaProxy.host, port: viaProxy.port, protocol: viaProxy.protocol };
      const refused = await refusal(catalogFor({ type: 'rest', uri: testEnv().icebergRest.uri, token: 'any' }, { proxy: anonymous }).loadTable(`${ns}.orders`));
      expect(refused.status).toBe(407);
      expect(refused.message).toMatch(/the source's proxy refused the request \(HTTP 407\)\. Fix: check sources\.lake\.proxy\.credentials/);
    } finally {
      await proxy.stop();
    }
  });
});
