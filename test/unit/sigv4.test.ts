import { createHash, createHmac, type Hash } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import { canonicalQuery, SigV4Signer, type SignableRequest } from '../../s3/sigv4';

/** SHA-256 and its HMAC in the shape @smithy/signature-v4 takes. */
class Sha256 {
  private readonly hash: Hash | ReturnType<typeof createHmac>;
  constructor(secret?: SourceData) {
    const key = secret instanceof ArrayBuffer ? new Uint8Array(secret) : ArrayBuffer.isView(secret) ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength) : secret;
    this.hash = key ? createHmac('sha256', key) : createHash('sha256');
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const session = { ...credentials, sessionToken: 'FwoGZXIvYXdzEJr//////////session+token/==' };

/** The name/value pairs of a canonical query string, decoded. */
const parseQuery = (query = '') => Object.fromEntries(query.split('&').filter(Boolean).map((pair) => pair.split('=').map(decodeURIComponent)));

/** What @smithy/signature-v4 (the AWS SDK's signer) puts in `authorization` for the same request. */
async function smithyAuthorization(request: SignableRequest, creds: typeof session | typeof credentials, region: string, at: Date) {
  const signer = new SignatureV4({ service: 's3', region, credentials: creds, sha256: Sha256, uriEscapePath: false });
  const signed = await signer.sign({ method: request.method, protocol: 'http:', hostname: '127.0.0.1', port: 9000, path: request.path, query: parseQuery(request.query), headers: { ...request.headers } },
    { signingDate: at });
  return signed.headers;
}

describe('SigV4 signing of lean S3 requests', () => {
  const at = new Date('2026-11-25T08:30:12.345Z');
  const cases: Array<{ name: string; region: string; creds: typeof credentials | typeof session; request: SignableRequest }> = [
    { name: 'a GET pinned to an ETag, with checksums asked for', region: 'us-east-1', creds: credentials, request: { method: 'GET', path: '/bucket/dir/file.txt',
      headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'if-match': '"0123456789abcdef0123456789abcdef"', 'x-amz-checksum-mode': 'ENABLED' } } },
    { name: 'a GET of an awkward key with session credentials', region: 'eu-west-3', creds: session, request: { method: 'GET', path: '/bucket/a%20b/%C3%A9t%C3%A9%2B%21%27%28%29%2A/%7E~.txt',
      headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } } },
    { name: 'a PUT with a signed payload hash, a checksum and spaces to collapse', region: 'us-west-2', creds: session, request: { method: 'PUT', path: '/bucket/out/part-0.parquet',
      headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': createHash('sha256').update('hello').digest('hex'), 'content-length': '5',
        'x-amz-checksum-sha256': createHash('sha256').update('hello').digest('base64'), 'x-amz-meta-note': '  two   spaces  ' } } },
    { name: 'an UploadPart, whose query names the part and an upload ID needing escapes', region: 'us-east-1', creds: credentials, request: { method: 'PUT', path: '/bucket/big.bin',
      query: canonicalQuery({ uploadId: 'VXBsb2Fk+SUQ/Zm9y=.~_-', partNumber: '12' }),
      headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': createHash('sha256').update('part').digest('hex'), 'content-length': '4' } } },
  ];

  it.each(cases)('gives the same signature as the AWS SDK for $name', async ({ request, creds, region }) => {
    const ours = new SigV4Signer(region).sign(request, creds, at.getTime());
    const theirs = await smithyAuthorization(request, creds, region, at);
    expect(ours.authorization).toBe(theirs.authorization);
    expect(ours['x-amz-date']).toBe('20261125T083012Z');
    expect(ours['x-amz-security-token']).toBe('sessionToken' in creds ? creds.sessionToken : undefined);
  });

  it('derives a new signing key when the day or the credentials change', async () => {
    const signer = new SigV4Signer('us-east-1');
    const request = cases[0]!.request;
    const nextDay = new Date('2026-11-26T00:00:01Z');
    const rotated = { accessKeyId: 'AKIDROTATED', secretAccessKey: 'another-secret' };
    signer.sign(request, credentials, at.getTime());
    expect(signer.sign(request, credentials, nextDay.getTime()).authorization).toBe((await smithyAuthorization(request, credentials, 'us-east-1', nextDay)).authorization);
    expect(signer.sign(request, rotated, nextDay.getTime()).authorization).toBe((await smithyAuthorization(request, rotated, 'us-east-1', nextDay)).authorization);
  });

  it('signs header names given in any case as lower case, without changing the request', () => {
    const headers = { Host: '127.0.0.1:9000', 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' };
    const signed = new SigV4Signer('us-east-1').sign({ method: 'GET', path: '/b/k', headers }, credentials, at.getTime());
    expect(signed.authorization).toContain('SignedHeaders=host;x-amz-content-sha256;x-amz-date,');
    expect(headers).toEqual({ Host: '127.0.0.1:9000', 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' });
  });
});
