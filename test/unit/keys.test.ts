import { bypassesProxy } from '../../s3/proxy';
import { decodeListedKey, joinKey, listingPrefix } from '../../s3/keys';
import { parseEndpoint, parseSourceUrl } from '../../config/source-url';

describe('subfolder matching', () => {
  it('matches sibling folders sharing the name when matchSubfolderExactly is false, as S3 prefixes do', () => {
    const prefix = listingPrefix('', 'foo/bar/', false);
    expect('foo/bar/x.csv'.startsWith(prefix)).toBe(true);
    expect('foo/bar_baz/x.csv'.startsWith(prefix)).toBe(true);
  });

  it('matches only the exact folder when matchSubfolderExactly is true', () => {
    const prefix = listingPrefix('root/', 'foo/bar', true);
    expect(prefix).toBe('root/foo/bar/');
    expect('root/foo/bar_baz/x.csv'.startsWith(prefix)).toBe(false);
  });

  it('joins keys without doubled or missing slashes', () => {
    expect(joinKey('a/', '/b/', 'c.txt')).toBe('a/b/c.txt');
    expect(joinKey('', 'deliveries', 'x')).toBe('deliveries/x');
    expect(joinKey('a', '', 'x')).toBe('a/x');
  });
});

describe('listing key decoding', () => {
  it('decodes url-encoded keys with spaces, plus signs and unicode', () => {
    expect(decodeListedKey('a+b%2Bc%25d%23%3F%C3%A9')).toBe('a b+c%d#?é');
  });
});

describe('nonProxyHosts', () => {
  it('bypasses exact hosts, leading and trailing wildcards and pipe-separated lists, case-insensitively', () => {
    expect(bypassesProxy('bucket.S3.Internal', ['*.s3.internal'])).toBe(true);
    expect(bypassesProxy('10.0.3.4', ['10.0.*'])).toBe(true);
    expect(bypassesProxy('minio', ['localhost|minio'])).toBe(true);
    expect(bypassesProxy('s3.amazonaws.com', ['*.internal', 'localhost'])).toBe(false);
    expect(bypassesProxy('evilinternal', ['*.internal'])).toBe(false);
  });
});

describe('source URL and endpoint parsing', () => {
  it('accepts s3 and s3a URLs and finds bucket and prefix', () => {
    expect(parseSourceUrl('s3a://bucket-a/x/y/')).toEqual({ bucket: 'bucket-a', prefix: 'x/y/', warnings: [] });
    expect(parseSourceUrl('s3://bucket-a')).toMatchObject({ bucket: 'bucket-a', prefix: '' });
    expect(parseSourceUrl('gs://bucket-a/')).toHaveProperty('problem');
  });

  it('turns a bare host into https and reads the region it names', () => {
    expect(parseEndpoint('s3.eu-central-1.amazonaws.com')).toEqual({ url: 'https://s3.eu-central-1.amazonaws.com', regionInHost: 'eu-central-1' });
    expect(parseEndpoint('http://127.0.0.1:9000')).toEqual({ url: 'http://127.0.0.1:9000', regionInHost: undefined });
    expect(parseEndpoint('http://host:9000/bucket')).toHaveProperty('problem');
  });
});
