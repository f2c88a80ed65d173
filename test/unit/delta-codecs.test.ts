/**
 * Data files compressed with every codec pyarrow writes (zstd, gzip, brotli, lz4), with nested
 * columns and values that lose precision as JS numbers (test/fixtures/delta-codecs/).
 */
import { join } from 'node:path';
import { LocalTableStorage } from '../../tables/storage-local';
import { loadDeltaSnapshot, scanDeltaFiles, type DeltaRow } from '../../tables/delta';

describe('Delta data files of every codec', () => {
  test('zstd, gzip, brotli and lz4 files read into exact rows with lists, maps, timestamps and decimals', async () => {
    const storage = new LocalTableStorage(join(__dirname, '..', 'fixtures', 'delta-codecs'));
    const snapshot = await loadDeltaSnapshot(storage);
    const rows: DeltaRow[] = [];
    for await (const batch of scanDeltaFiles(storage, snapshot, snapshot.files, { columns: ['codec', 'id', 'tags', 'attrs', 'at', 'price'] })) rows.push(...batch.rows);
    rows.sort((a, b) => Number((a.id as bigint) - (b.id as bigint)));
    expect(rows).toEqual(['zstd', 'gzip', 'brotli', 'lz4'].map((codec, i) => ({
      codec, id: 2n ** 62n + BigInt(i), tags: ['a', null, 'c'], attrs: new Map<string, number | null>([['k', i], ['n', null]]),
      at: `1969-12-31T23:59:59.99999${9 - i}Z`, price: '1234567890123456.7890',
    })));
    expect(Object.keys(rows[0] as DeltaRow)).toEqual(['codec', 'id', 'tags', 'attrs', 'at', 'price']);
  });
});
