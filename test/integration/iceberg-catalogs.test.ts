/**
 * The Iceberg catalogs (tables/catalogs/) against real catalogs: Apache Iceberg's REST catalog
 * server (its warehouse in the test MinIO), moto's AWS Glue, and a files warehouse in MinIO, each
 * holding tables pyiceberg wrote. Every identifier resolves to the metadata location pyiceberg
 * reports; listings match; a missing table, a bad token and a Glue table that is not Iceberg are
 * refused by name. Unity's path form and token checks go through a thin front to the REST server
 * (test/harness/iceberg-rest-front.ts), which serves no URL prefix and accepts any token itself.
 */
import { execFileSync } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createSourceRegistry } from '../../s3/source-registry';
import { catalogOf, CatalogError, discoverCatalogTables, identifierOf, type IcebergCatalog } from '../../tables/catalogs';
import { inspectTable, openTable, readTableRows, TableRequestError } from '../../tables/registry-ops';
import { CountingTableStorage } from '../../tables/storage-counting';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { startIcebergRestFront, type IcebergRestFront } from '../harness/iceberg-rest-front';
import { startTinyproxy } from '../harness/tinyproxy';
import { testEnv } from '../harness/test-env';

const run = Math.random().toString(36).slice(2, 8);
const ns = `cat_${run}`;
const glueDb = `gdb_${run}`;
const filesNs = `files_${run}`;
const PAT = 'dapi-test-personal-access-token';
const OAUTH_CLIENT = `client-${run}`;

type OracleRow = { id: string; name: string | null };
let written: { rest: Record<string, string>; glue: Record<string, string>; files: Record<string, string>; rows: Record<'rest' | 'glue' | 'files', OracleRow[]> };
let front: IcebergRestFront;

function catalogFor(catalog: Record<string, unknown>, extra: Record<string, unknown> = {}): IcebergCatalog {
  const { icebergRest } = testEnv();
  const cfg = config({ sources: { lake: minioSource(icebergRest.bucket, { catalog, ...extra }) } });
  return catalogOf(createSourceRegistry(cfg), 'lake');
}

async function refusal(promise: Promise<unknown>): Promise<CatalogError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof CatalogError)) throw new Error(`expected a CatalogError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  Object.assign(process.env, rootKeyEnv(), { TEST_UNITY_TOKEN: PAT, TEST_OAUTH_SECRET: 'client-secret' });
  const { icebergRest, moto, minio } = testEnv();
  const python = resolve(__dirname, '..', '..', '.tools', 'venv', 'bin', 'python');
  const spec = {
    s3: { endpoint: minio.endpoint, key: minio.rootUser, secret: minio.rootPassword },
    rest: { uri: icebergRest.uri, namespace: ns },
    glue: { endpoint: moto.endpoint, database: glueDb, location: `s3://${icebergRest.bucket}/glue/${glueDb}` },
    sql: { db: join(mkdtempSync(join(tmpdir(), 's3c-sqlcat-')), 'catalog.db'), location: `s3://${icebergRest.bucket}/files-warehouse`, namespace: filesNs },
  };
  const out = execFileSync(python, [resolve(__dirname, '..', '..', 'scripts', 'fixtures', 'make_catalog_tables.py'), JSON.stringify(spec)], { encoding: 'utf8' });
  written = JSON.parse(out) as typeof written;
  front = await startIcebergRestFront(icebergRest.uri, 'main', [PAT, `client-credentials-token:sub=${OAUTH_CLIENT}`]);
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
      credential: { clientId: OAUTH_CLIENT, clientSecret: '${env:TEST_OAUTH_SECRET}' },
      oauth2ServerUri: `${testEnv().icebergRest.uri}/v1/oauth/tokens`,
    });
    const before = front.seenTokens.length;
    expect((await catalog.loadTable(`${ns}.orders`)).metadataLocation).toBe(written.rest.orders);
    expect(new Set(front.seenTokens.slice(before))).toEqual(new Set([`Bearer client-credentials-token:sub=${OAUTH_CLIENT}`]));
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

describe('catalog tables (virtualTables with identifier:) read through their source\'s catalog', () => {
  const cases: Array<[string, () => Record<string, unknown>, () => string, 'rest' | 'glue' | 'files']> = [
    ['rest', () => ({ type: 'rest', uri: testEnv().icebergRest.uri }), () => `${ns}.orders`, 'rest'],
    ['unity', () => ({ type: 'unity', uri: front.uri, token: '${env:TEST_UNITY_TOKEN}' }), () => `main.${ns}.orders`, 'rest'],
    ['glue', () => ({ type: 'glue', endpoint: testEnv().moto.endpoint }), () => `${glueDb}.orders`, 'glue'],
    ['files', () => ({ type: 'files', warehousePath: 'files-warehouse/' }), () => `${filesNs}.orders`, 'files'],
  ];

  test.each(cases)('a %s catalog table reads the rows pyiceberg reads, and registers with the folder its catalog names', async (_type, catalog, identifier, oracle) => {
    const cfg = config({
      sources: { lake: minioSource(testEnv().icebergRest.bucket, { catalog: catalog(), region: 'us-east-1' }) },
      virtualTables: { orders: { source: 'lake', format: 'iceberg', identifier: identifier() } },
    });
    const table = openTable(cfg, createSourceRegistry(cfg), 'orders');
    const rows: OracleRow[] = [];
    for await (const row of readTableRows(table, {})) rows.push({ id: String(row.id), name: row.name as string | null });
    const order = (a: OracleRow, b: OracleRow) => (a.id + (a.name ?? '')).localeCompare(b.id + (b.name ?? ''));
    expect(rows.sort(order)).toEqual([...written.rows[oracle]].sort(order));
    expect(rows.map((r) => r.id)).toContain('9007199254740993');
    const record = await inspectTable(table);
    const metadataLocation = written[oracle].orders!;
    expect(`${record.url}metadata/`).toBe(metadataLocation.replace(/[^/]+$/, ''));
    expect(record.location).toBe(record.url.slice(`s3://${testEnv().icebergRest.bucket}/`.length));
    expect(record.snapshotId).toMatch(/^\d+$/);
  });

  test('a storage wrapped around the table before its catalog is asked (as tables read counts bytes) reads through to the table\'s folder', async () => {
    const cfg = config({
      sources: { lake: minioSource(testEnv().icebergRest.bucket, { catalog: { type: 'rest', uri: testEnv().icebergRest.uri } }) },
      virtualTables: { orders: { source: 'lake', format: 'iceberg', identifier: `${ns}.orders` } },
    });
    const opened = openTable(cfg, createSourceRegistry(cfg), 'orders');
    const counted = new CountingTableStorage(opened.storage);
    const ids: string[] = [];
    for await (const row of readTableRows({ ...opened, storage: counted }, {})) ids.push(String(row.id));
    expect(ids.sort()).toEqual(written.rows.rest.map((r) => r.id).sort());
    expect(counted.counts.reads).toBeGreaterThan(0);
    expect(counted.location).toBe(written.rest.orders!.replace(/metadata\/[^/]+$/, ''));
  });

  test('the S3 credentials a REST catalog vends read the table where the source\'s own keys are refused', async () => {
    process.env.TEST_WRONG_SECRET = 'not-the-minio-secret';
    const wrongKeys = { credentials: { type: 'accessKey', accessKeyId: '${env:TEST_MINIO_KEY}', secretAccessKey: '${env:TEST_WRONG_SECRET}' }, maxErrorRetries: 0 };
    const tableOf = (catalog: Record<string, unknown>, identifier: string) => {
      const cfg = config({
        sources: { lake: minioSource(testEnv().icebergRest.bucket, { catalog, ...wrongKeys }) },
        virtualTables: { orders: { source: 'lake', format: 'iceberg', identifier } },
      });
      return openTable(cfg, createSourceRegistry(cfg), 'orders');
    };
    const ids: string[] = [];
    for await (const row of readTableRows(tableOf({ type: 'rest', uri: testEnv().icebergRest.uri }, `${ns}.orders`), {})) ids.push(String(row.id));
    expect(ids.sort()).toEqual(written.rows.rest.map((r) => r.id).sort());
    // The files catalog vends nothing: the same wrong keys are refused by the store.
    await expect(readTableRows(tableOf({ type: 'files', warehousePath: 'files-warehouse/' }, `${filesNs}.orders`), {}).next()).rejects.toThrow(/SignatureDoesNotMatch|AccessDenied|InvalidAccessKeyId/);
  });

  test('a catalog table whose source has no catalog is refused naming the fix', () => {
    const cfg = config({
      sources: { lake: minioSource(testEnv().icebergRest.bucket) },
      virtualTables: { orders: { source: 'lake', format: 'iceberg', identifier: `${ns}.orders` } },
    });
    expect(() => openTable(cfg, createSourceRegistry(cfg), 'orders')).toThrow(TableRequestError);
    expect(() => openTable(cfg, createSourceRegistry(cfg), 'orders')).toThrow(/needs a catalog on source "lake".*Fix: add sources\.lake\.catalog/);
  });

  test('a table the catalog places outside the source\'s bucket and prefix is refused, not read', async () => {
    const cfg = config({
      sources: { lake: minioSource(testEnv().icebergRest.bucket, { url: `s3://${testEnv().icebergRest.bucket}/glue/`, catalog: { type: 'rest', uri: testEnv().icebergRest.uri } }) },
      virtualTables: { orders: { source: 'lake', format: 'iceberg', identifier: `${ns}.orders` } },
    });
    const rows = readTableRows(openTable(cfg, createSourceRegistry(cfg), 'orders'), {});
    await expect(rows.next()).rejects.toThrow(/outside source "lake" \(s3:\/\/iceberg-catalog\/glue\/\).*Fix: register the table on a source whose url covers/);
  });
});

/** Every string and every binary payload (decoded as UTF-8) in a workflow history, as one text. */
function historyText(value: unknown, out: string[] = []): string[] {
  if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) historyText(v, out);
  return out;
}

describe('a catalog table on a worker', () => {
  test('registers, previews and lists the history of a unity catalog table, with the token and vended keys resolved on the worker and never in workflow history', async () => {
    const cfg = config({
      datasetStore: mkdtempSync(join(tmpdir(), 's3c-catalog-store-')),
      sources: { lake: minioSource(testEnv().icebergRest.bucket, { catalog: { type: 'unity', uri: front.uri, token: '${env:TEST_UNITY_TOKEN}' } }) },
      virtualTables: { unity_orders: { source: 'lake', format: 'iceberg', identifier: `main.${ns}.orders` } },
    });
    const connection = await Connection.connect({ address: testEnv().temporalAddress });
    try {
      const client = new Client({ connection });
      const runs = await withWorker(cfg, async (taskQueue) => {
        const run = async (type: string, extra: object) => {
          const handle = await client.workflow.start(type, {
            taskQueue, workflowId: `${type}/unity_orders/${Math.random().toString(36).slice(2)}`, args: [{ table: 'unity_orders', maxErrorRetries: 1, ...extra }],
          });
          return { id: handle.workflowId, result: await handle.result() as unknown };
        };
        return [await run('registerTable', {}), await run('previewTable', { limit: 10 }), await run('tableHistory', { limit: 10 })];
      });
      const [register, preview, history] = runs.map((r) => r.result) as [{ record: { format: string; url: string; snapshotId: string } }, { rows: string[] }, Array<{ operation?: string }>];
      expect(register.record.format).toBe('iceberg');
      expect(`${register.record.url}metadata/`).toBe(written.rest.orders!.replace(/[^/]+$/, ''));
      expect(preview.rows).toHaveLength(written.rows.rest.length);
      expect(history.map((h) => h.operation)).toEqual(['append', 'append']);
      for (const { id } of runs) {
        const text = historyText(await client.workflow.getHandle(id).fetchHistory()).join('\n');
        expect(text).toContain('unity_orders');
        expect(text).not.toContain(PAT);
        expect(text).not.toContain(testEnv().minio.rootPassword);
      }
    } finally {
      await connection.close();
    }
  }, 120_000);
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

