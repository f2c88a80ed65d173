/**
 * The files catalog (tables/catalogs/files.ts) over warehouse folders laid out as Iceberg's
 * writers lay them: a.b.t in a/b/t/, its current metadata file chosen as the Iceberg reader
 * chooses it (version-hint.text first, else the highest vN.metadata.json, else the newest
 * <N>-<uuid>.metadata.json), tables and namespaces listed from one listing.
 */
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CatalogError } from '../../tables/catalogs';
import { filesCatalog } from '../../tables/catalogs/files';
import { LocalTableStorage } from '../../tables/storage-local';

function warehouse(files: Record<string, string | { body: string; mtime: number }>): { storage: LocalTableStorage; root: string } {
  const root = mkdtempSync(join(tmpdir(), 's3c-files-catalog-'));
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : content.body);
    if (typeof content !== 'string') utimesSync(file, content.mtime, content.mtime);
  }
  return { storage: new LocalTableStorage(root), root };
}

/** The files catalog over a local warehouse. */
function catalogOver(files: Record<string, string | { body: string; mtime: number }>) {
  const { storage, root } = warehouse(files);
  return { storage, catalog: filesCatalog('sources.lake.catalog', storage, (folder) => new LocalTableStorage(join(root, folder))) };
}

/** The key below the warehouse of the metadata file the catalog resolves table `t.t` to. */
async function current(files: Record<string, string | { body: string; mtime: number }>): Promise<string> {
  const { storage, catalog } = catalogOver(files);
  const table = await catalog.loadTable('t.t');
  const base = storage.location.replace(/\/?$/, '/');
  expect(table.metadataLocation.startsWith(base)).toBe(true);
  return table.metadataLocation.slice(base.length);
}

const U1 = '0f3c1c2e-1111-4a4a-9b9b-000000000001';
const U2 = '0f3c1c2e-2222-4a4a-9b9b-000000000002';

describe('the files catalog\'s current metadata file', () => {
  it('follows version-hint.text when present, even over a higher vN written after it', async () => {
    expect(await current({ 't/t/metadata/version-hint.text': '2\n', 't/t/metadata/v1.metadata.json': '{}', 't/t/metadata/v2.metadata.json': '{}', 't/t/metadata/v3.metadata.json': '{}' })).toBe('t/t/metadata/v2.metadata.json');
  });

  it('takes the highest vN.metadata.json by number, not by text order, without a hint', async () => {
    expect(await current({ 't/t/metadata/v9.metadata.json': '{}', 't/t/metadata/v10.metadata.json': '{}', [`t/t/metadata/00011-${U1}.metadata.json`]: '{}' })).toBe('t/t/metadata/v10.metadata.json');
  });

  it('fails when the hint names a version that is not there, saying the table is incomplete', async () => {
    await expect(current({ 't/t/metadata/version-hint.text': '7', 't/t/metadata/v4.metadata.json': '{}', 't/t/metadata/v5.metadata.json': '{}' })).rejects.toThrow(/names version 7.*incomplete/);
  });

  it('takes the highest <N>-<uuid>.metadata.json, and of equal N the one written last', async () => {
    expect(await current({
      [`t/t/metadata/00001-${U1}.metadata.json`]: '{}',
      [`t/t/metadata/00002-${U1}.metadata.json`]: { body: '{}', mtime: 1_700_000_000 },
      [`t/t/metadata/00002-${U2}.metadata.json`]: { body: '{}', mtime: 1_700_000_100 },
      't/t/metadata/snap-1-1-abc.avro': 'x',
    })).toBe(`t/t/metadata/00002-${U2}.metadata.json`);
  });

  it('calls a folder without metadata files no such table', async () => {
    await expect(current({ 't/t/data/a.parquet': 'x' })).rejects.toMatchObject({ catalogCode: 'CatalogNoSuchTable' });
  });
});

describe('the files catalog', () => {
  const { storage, catalog } = catalogOver({
    [`sales/orders/metadata/00003-${U1}.metadata.json`]: '{}',
    'sales/eu/returns/metadata/v2.metadata.json': '{}',
    'sales/eu/returns/data/x.parquet': 'x',
    'loose/file.txt': 'x',
  });

  it('resolves a.b.table to the folder a/b/table/ below the warehouse', async () => {
    const table = await catalog.loadTable('sales.eu.returns');
    expect(table.metadataLocation).toBe(`${storage.location.replace(/\/?$/, '/')}sales/eu/returns/metadata/v2.metadata.json`);
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
