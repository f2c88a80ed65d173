/**
 * Catalog tables (virtualTables with identifier:) read through their source's catalog
 * (tables/registry-ops.ts, tables/catalogs/open.ts): tables pyiceberg wrote in the REST catalog
 * server, moto's Glue and a files warehouse (test/harness/catalog-fixtures.ts) read row for row as
 * pyiceberg reads them, with the credentials a REST catalog vends, on a real worker without a
 * secret in workflow history; tables outside the source refused.
 */
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSourceRegistry } from '../../s3/source-registry';
import { inspectTable, openTable, readTableRows, TableRequestError } from '../../tables/registry-ops';
import { CountingTableStorage } from '../../tables/storage-counting';
import { makeCatalogTables, PAT, type CatalogTables, type OracleRow } from '../harness/catalog-fixtures';
import { config, minioSource, withWorker } from '../harness/connector';
import type { IcebergRestFront } from '../harness/iceberg-rest-front';
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
