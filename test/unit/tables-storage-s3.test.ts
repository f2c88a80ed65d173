import type { SourceClient } from '../../s3/client';
import { TableOutsideRootError } from '../../tables/storage';
import { S3TableStorage } from '../../tables/storage-s3';

/** keyOfUri needs only the source's bucket and prefix: no request is made. */
const client = { name: 'lake', bucket: 'data', prefix: 'warehouse/' } as unknown as SourceClient;

describe('S3 table storage: absolute paths in table metadata', () => {
  const storage = new S3TableStorage(client, 'orders');

  it('has its root below the source URL, with one slash', () => {
    expect(storage.location).toBe('s3://data/warehouse/orders/');
    expect(new S3TableStorage(client, 'orders/').location).toBe('s3://data/warehouse/orders/');
  });

  it('follows s3:// and s3a:// URIs below the root, decoding them', () => {
    expect(storage.keyOfUri('s3://data/warehouse/orders/part-0.parquet')).toBe('part-0.parquet');
    expect(storage.keyOfUri('s3a://data/warehouse/orders/day=2024-01-01/a%20b.parquet')).toBe('day=2024-01-01/a b.parquet');
  });

  it.each([
    ['another bucket', 's3://other/warehouse/orders/part-0.parquet'],
    ['a sibling folder sharing the prefix', 's3://data/warehouse/orders2/part-0.parquet'],
    ['the source root', 's3://data/warehouse/part-0.parquet'],
    ['a way up with ..', 's3://data/warehouse/orders/../secrets/key.parquet'],
    ['an encoded way up', 's3://data/warehouse/orders/%2E%2E/secrets/key.parquet'],
    ['the root itself', 's3://data/warehouse/orders/'],
    ['another scheme', 'file:///warehouse/orders/part-0.parquet'],
    ['a bad encoding', 's3://data/warehouse/orders/%E0%A4%A.parquet'],
  ])('refuses %s, never following it', (_what, uri) => {
    expect(() => storage.keyOfUri(uri)).toThrow(TableOutsideRootError);
  });
});
