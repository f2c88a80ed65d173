/**
 * What the catalogs take from a reply, as pure functions: the S3 credentials a load-table reply
 * vends (tables/catalogs/rest.ts) and the table folder a metadata location lies in
 * (tables/catalogs/open.ts).
 */
import { tableFolderOf } from '../../tables/catalogs/open';
import { vendedCredentials } from '../../tables/catalogs/rest';

const METADATA = 's3://lake/warehouse/sales/orders/metadata/00002-abc.metadata.json';

describe('vended credentials of a load-table reply', () => {
  it('takes the storage-credentials entry with the longest prefix of the metadata location', () => {
    const reply = {
      'storage-credentials': [
        { prefix: 's3://lake/', config: { 's3.access-key-id': 'wide', 's3.secret-access-key': 'w' } },
        { prefix: 's3://lake/warehouse/sales/', config: { 's3.access-key-id': 'narrow', 's3.secret-access-key': 'n', 's3.session-token': 't', 's3.session-token-expires-at-ms': '1900000000000' } },
        { prefix: 's3://other/', config: { 's3.access-key-id': 'elsewhere', 's3.secret-access-key': 'e' } },
      ],
      config: { 's3.access-key-id': 'config', 's3.secret-access-key': 'c' },
    };
    expect(vendedCredentials(reply, METADATA)).toEqual({ accessKeyId: 'narrow', secretAccessKey: 'n', sessionToken: 't', expiresAt: 1_900_000_000_000 });
  });

  it('falls back to the s3.* keys of config, and finds none when the catalog vends none', () => {
    expect(vendedCredentials({ config: { 's3.access-key-id': 'k', 's3.secret-access-key': 's' } }, METADATA)).toEqual({ accessKeyId: 'k', secretAccessKey: 's' });
    expect(vendedCredentials({ config: { 's3.endpoint': 'http://x' } }, METADATA)).toBeUndefined();
    expect(vendedCredentials({ config: { 's3.access-key-id': 'k' } }, METADATA)).toBeUndefined();
  });
});

describe('the folder of a catalog table', () => {
  it('is the table location the catalog gives when the metadata lies below it', () => {
    expect(tableFolderOf(METADATA, 's3://lake/warehouse/sales/orders')).toBe('s3://lake/warehouse/sales/orders/');
  });

  it('is the folder above metadata/ when the location is missing or does not hold the metadata', () => {
    expect(tableFolderOf(METADATA, undefined)).toBe('s3://lake/warehouse/sales/orders/');
    expect(tableFolderOf(METADATA, 's3://lake/elsewhere')).toBe('s3://lake/warehouse/sales/orders/');
  });
});
