import { ConfigError } from '../../config/errors';
import { parseConfig } from '../../config/load';
import { linkLocalReason } from '../../config/source-url';

const source = { url: 's3://bucket-a/', credentials: { type: 'cloudIdentity' } };

function problemsOf(raw: object): ConfigError['problems'] {
  try {
    parseConfig(raw);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

const FIX = 'a metadata service hands out the worker\'s own cloud credentials. Fix: use the store\'s own address, or set allowLinkLocalEndpoint: true on this source if the store really is there.';

describe('an endpoint at a link-local or cloud metadata address', () => {
  it.each([
    ['http://169.254.169.254', 'http://169.254.169.254', 'the cloud instance metadata address (link-local, 169.254.0.0/16)'],
    ['169.254.169.254', 'https://169.254.169.254', 'the cloud instance metadata address (link-local, 169.254.0.0/16)'],
    ['http://169.254.170.2:80', 'http://169.254.170.2', 'in the link-local range 169.254.0.0/16, where cloud instance metadata is served'],
    ['http://169.254.0.1:9000', 'http://169.254.0.1:9000', 'in the link-local range 169.254.0.0/16, where cloud instance metadata is served'],
    // Other spellings of 169.254.169.254, which the URL parser turns into dotted form.
    ['http://2852039166', 'http://169.254.169.254', 'the cloud instance metadata address (link-local, 169.254.0.0/16)'],
    ['http://0xa9.0xfe.0xa9.0xfe', 'http://169.254.169.254', 'the cloud instance metadata address (link-local, 169.254.0.0/16)'],
    ['http://[fe80::1]:9000', 'http://[fe80::1]:9000', 'in the link-local range fe80::/10'],
    ['http://[FEBF:ffff::1]', 'http://[febf:ffff::1]', 'in the link-local range fe80::/10'],
    ['http://[fd00:ec2::254]', 'http://[fd00:ec2::254]', 'a cloud instance metadata address'],
    ['http://[::ffff:169.254.169.254]', 'http://[::ffff:a9fe:a9fe]', 'the cloud instance metadata address (link-local, 169.254.0.0/16)'],
    ['http://[64:ff9b::169.254.169.254]', 'http://[64:ff9b::a9fe:a9fe]', 'the cloud instance metadata address (link-local, 169.254.0.0/16)'],
    ['http://100.100.100.200', 'http://100.100.100.200', 'a cloud instance metadata address'],
    ['metadata.google.internal', 'https://metadata.google.internal', 'the name of a cloud instance metadata service'],
    ['http://Metadata.Google.Internal.:80', 'http://metadata.google.internal.', 'the name of a cloud instance metadata service'],
    ['http://instance-data.ec2.internal', 'http://instance-data.ec2.internal', 'the name of a cloud instance metadata service'],
  ])('%p is refused at load, unless the source allows it', (endpoint, shown, reason) => {
    expect(problemsOf({ sources: { a: { ...source, endpoint } } })).toEqual([{ path: 'sources.a.endpoint', message: `"${shown}" is ${reason}; ${FIX}` }]);
    expect(problemsOf({ sources: { a: { ...source, endpoint, allowLinkLocalEndpoint: true } } })).toEqual([]);
  });

  it.each(['http://127.0.0.1:9000', 'localhost:9000', 's3.us-east-1.amazonaws.com', 'http://169.255.0.1', 'http://169.253.255.255',
    'http://[::1]:9000', 'http://[fec0::1]', 'http://[fd00:ec2::253]', 'http://10.0.0.5', 'http://metadata.example.com', 'http://100.100.100.100'])(
    '%p is accepted', (endpoint) => {
      expect(problemsOf({ sources: { a: { ...source, endpoint } } })).toEqual([]);
    });

  it('applies to the STS endpoints of the source too', () => {
    const oidc = { type: 'oidc', roleArn: 'arn:aws:iam::1:role/r', webIdentityTokenFile: '/t', stsEndpoint: 'http://169.254.169.254/' };
    const stsRole = { roleArn: 'arn:aws:iam::1:role/r', stsEndpoint: 'http://[fe80::2]:8080' };
    const raw = { ...source, endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', credentials: oidc, stsRole };
    expect(problemsOf({ sources: { a: raw } }).map((p) => p.path)).toEqual(['sources.a.credentials.stsEndpoint', 'sources.a.stsRole.stsEndpoint']);
    expect(problemsOf({ sources: { a: { ...raw, allowLinkLocalEndpoint: true } } })).toEqual([]);
  });

  it('must be a boolean when given, and defaults to false', () => {
    expect(problemsOf({ sources: { a: { ...source, endpoint: 'http://127.0.0.1:9000', allowLinkLocalEndpoint: 'yes' } } }))
      .toEqual([{ path: 'sources.a.allowLinkLocalEndpoint', message: 'expected boolean, got string "yes". Fix: write a boolean.' }]);
    expect(parseConfig({ sources: { a: { ...source, endpoint: 'http://127.0.0.1:9000' } } }).config.sources.a!.allowLinkLocalEndpoint).toBe(false);
  });

  it('is recognised from the parsed URL alone', () => {
    expect(linkLocalReason(new URL('http://[fe80::abcd]'))).toBe('in the link-local range fe80::/10');
    expect(linkLocalReason(new URL('http://169.254.43518'))).toBe('the cloud instance metadata address (link-local, 169.254.0.0/16)');
    expect(linkLocalReason(new URL('http://[::]'))).toBeUndefined();
  });
});
