/**
 * The files catalog's choice of a table's current metadata file (tables/catalogs/files.ts):
 * version-hint.text first, else the highest vN.metadata.json, else the newest
 * <N>-<uuid>.metadata.json, over folders laid out as Iceberg's writers lay them.
 */
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CatalogError } from '../../tables/catalogs';
import { currentMetadataKey, filesCatalog } from '../../tables/catalogs/files';
import { LocalTableStorage } from '../../tables/storage-local';

function warehouse(files: Record<string, string | { body: string; mtime: number }>): LocalTableStorage {
  const root = mkdtempSync(join(tmpdir(), 's3c-files-catalog-'));
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : content.body);
    if (typeof content !== 'string') utimesSync(file, content.mtime, content.mtime);
  }
  return new LocalTableStorage(root);
}

const U1 = '0f3c1c2e-1111-4a4a-9b9b-000000000001';
const U2 = '0f3c1c2e-2222-4a4a-9b9b-000000000002';

describe('the files catalog\'s current metadata file', () => {
  it('follows version-hint.text when present, even over a higher vN written after it', async () => {
    const storage = warehouse({ 't/metadata/version-hint.text': '2\n', 't/metadata/v1.metadata.json': '{}', 't/metadata/v2.metadata.json': '{}', 't/metadata/v3.metadata.json': '{}' });
    expect(await currentMetadataKey(storage, 't/')).toBe('t/metadata/v2.metadata.json');
  });

  it('takes the highest vN.metadata.json by number, not by text order, without a hint', async () => {
    const storage = warehouse({ 't/metadata/v9.metadata.json': '{}', 't/metadata/v10.metadata.json': '{}', [`t/metadata/00011-${U1}.metadata.json`]: '{}' });
    expect(await currentMetadataKey(storage, 't/')).toBe('t/metadata/v10.metadata.json');
  });

  it('falls back to the listing when the hint names no file', async () => {
    const storage = warehouse({ 't/metadata/version-hint.text': '7', 't/metadata/v4.metadata.json': '{}', 't/metadata/v5.metadata.json': '{}' });
    expect(await currentMetadataKey(storage, 't/')).toBe('t/metadata/v5.metadata.json');
  });

  it('takes the highest <N>-<uuid>.metadata.json, and of equal N the one written last', async () => {
    const storage = warehouse({
      [`t/metadata/00001-${U1}.metadata.json`]: '{}',
      [`t/metadata/00002-${U1}.metadata.json`]: { body: '{}', mtime: 1_700_000_000 },
      [`t/metadata/00002-${U2}.metadata.json`]: { body: '{}', mtime: 1_700_000_100 },
      't/metadata/snap-1-1-abc.avro': 'x',
    });
    expect(await currentMetadataKey(storage, 't/')).toBe(`t/metadata/00002-${U2}.metadata.json`);
  });

  it('finds nothing in a folder without metadata files', async () => {
    expect(await currentMetadataKey(warehouse({ 't/data/a.parquet': 'x' }), 't/')).toBeUndefined();
  });
});

describe('the files catalog', () => {
  const storage = warehouse({
    [`sales/orders/metadata/00003-${U1}.metadata.json`]: '{}',
    'sales/eu/returns/metadata/v2.metadata.json': '{}',
    'sales/eu/returns/data/x.parquet': 'x',
    'loose/file.txt': 'x',
  });
  const catalog = filesCatalog('sources.lake.catalog', storage);

  it('resolves a.b.table to the folder a/b/table/ below the warehouse', async () => {
    const table = await catalog.loadTable('sales.eu.returns');
    expect(table.metadataLocation).toBe(`${storage.location}sales/eu/returns/metadata/v2.metadata.json`);
  });

  it('lists every table folder, and namespaces level by level', async () => {
    expect(await catalog.listAllTables()).toEqual([{ namespace: ['sales', 'eu'], name: 'returns' }, { namespace: ['sales'], name: 'orders' }]);
    expect(await catalog.listNamespaces()).toEqual([['sales']]);
    expect(await catalog.listNamespaces(['sales'])).toEqual([['sales', 'eu']]);
    expect(await catalog.listTables(['sales'])).toEqual([{ namespace: ['sales'], name: 'orders' }]);
  });

  it('refuses an identifier that would leave the warehouse, and names a missing table', async () => {
    await expect(catalog.loadTable('sales...orders')).rejects.toThrow(CatalogError);
    await expect(catalog.loadTable('orders')).rejects.toThrow(/not a table name of the form namespace\.table/);
    await expect(catalog.loadTable('sales.nothing')).rejects.toThrow(/no such table sales\.nothing.*Fix: check the identifier/);
  });
});
