import { readFileSync } from 'node:fs';
import https from 'node:https';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { MinioServer } from '../../devservers/minio';
import { createSourceClient } from '../../s3/client';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { createBucket, putObjects } from '../harness/minio-admin';
import { createTestPki, type TestPki } from '../harness/pki';
import { listAndRead } from '../harness/source-probe';
import { startTinyproxy, type Tinyproxy } from '../harness/tinyproxy';
import { startTlsMinio } from '../harness/tls-minio';

const USER = 'user';
const PASSWORD = 'pass';

describe('proxy', () => {
  let proxy: Tinyproxy;
  let bucket: string;
  let pki: TestPki;
  let tlsMinio: MinioServer;
  const tlsBucket = 'proxied-tls';

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    pki = createTestPki();
    tlsMinio = await startTlsMinio(pki);
    proxy = await startTinyproxy({ user: USER, password: PASSWORD, connectPorts: [tlsMinio.port] });
    bucket = await createBucket('proxied');
    await putObjects(bucket, [{ key: 'via/proxy.txt', body: 'through tinyproxy' }]);
    const admin = new S3Client({
      endpoint: tlsMinio.endpoint, region: 'us-east-1', forcePathStyle: true,
      credentials: { accessKeyId: tlsMinio.rootUser, secretAccessKey: tlsMinio.rootPassword },
      requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca: readFileSync(pki.caFile, 'utf8') }) }),
    });
    await admin.send(new CreateBucketCommand({ Bucket: tlsBucket }));
    await admin.send(new PutObjectCommand({ Bucket: tlsBucket, Key: 'tunnel.txt', Body: 'through a CONNECT tunnel' }));
    admin.destroy();
    process.env.TLS_MINIO_KEY = tlsMinio.rootUser;
    process.env.TLS_MINIO_SECRET = tlsMinio.rootPassword;
  });
  afterAll(async () => {
    await Promise.all([proxy?.stop(), tlsMinio?.stop()]);
  });

  /** A source over the plain-http MinIO of this run, through the proxy with `password` unless `extra` says otherwise. */
  const proxiedSource = (password: string, proxyExtra: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => {
    process.env.PROXY_PASSWORD = password;
    return config({ sources: { x: minioSource(bucket, {
      maxErrorRetries: 0,
      proxy: { host: '127.0.0.1', port: proxy.port, protocol: 'HTTP', credentials: { username: USER, password: '${env:PROXY_PASSWORD}' }, ...proxyExtra },
      ...extra,
    }) } }).sources.x!;
  };

  /** Log lines tinyproxy wrote after `from` (a length of the log) that name `text`. */
  const newLogLines = (from: number, text: string) => proxy.log().slice(from).split('\n').filter((l) => l.includes(text));

  it('lists and reads a plain-http store through the proxy, with basic auth, and the proxy logs each request', async () => {
    const before = proxy.log().length;
    const seen = await listAndRead(proxiedSource(PASSWORD), 'via/proxy.txt');
    expect(seen).toEqual({ keys: ['via/proxy.txt'], body: 'through tinyproxy', http: { viaProxy: true } });
    // Absolute-URI forwarding: tinyproxy logs "Request (file descriptor N): GET http://127.0.0.1:PORT/bucket... HTTP/1.1".
    const lines = newLogLines(before, `/${bucket}`);
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(new RegExp(`Request .*: GET http://127\\.0\\.0\\.1:\\d+/${bucket}/\\?list-type=2`)),
      expect.stringMatching(new RegExp(`Request .*: GET http://127\\.0\\.0\\.1:\\d+/${bucket}/via/proxy\\.txt`)),
    ]));
  });

  // tinyproxy 1.11 answers a missing Proxy-Authorization with 407 and a wrong one with 401, both itself.
  it('is refused by the proxy (401 from tinyproxy) when the proxy password is wrong', async () => {
    await expect(listAndRead(proxiedSource('wrong'), 'via/proxy.txt')).rejects.toMatchObject({
      $metadata: { httpStatusCode: 401 },
      $response: { headers: { server: expect.stringMatching(/^tinyproxy/), 'www-authenticate': 'Basic realm="Tinyproxy"' } },
    });
  });

  it('is refused with 407 Proxy Authentication Required when no proxy credentials are given', async () => {
    await expect(listAndRead(proxiedSource(PASSWORD, { credentials: undefined }), 'via/proxy.txt')).rejects.toMatchObject({
      $metadata: { httpStatusCode: 407 },
      $response: { headers: { server: expect.stringMatching(/^tinyproxy/), 'proxy-authenticate': 'Basic realm="Tinyproxy"' } },
    });
  });

  it.each([['a wildcard', '127.0.0.*'], ['the exact host', '127.0.0.1'], ['one entry of an a|b list', 'other.example|127.0.0.1']])(
    'goes direct, bypassing the proxy, for a host matched by nonProxyHosts given as %s',
    async (_how, pattern) => {
      const before = proxy.log().length;
      // The wrong password would be refused by the proxy if the request went through it.
      const seen = await listAndRead(proxiedSource('wrong', { nonProxyHosts: [pattern] }), 'via/proxy.txt');
      expect(seen).toEqual({ keys: ['via/proxy.txt'], body: 'through tinyproxy', http: { viaProxy: false } });
      expect(newLogLines(before, bucket)).toEqual([]);
    });

  it('reports viaProxy true for a host that nonProxyHosts does not match, and false without a proxy', () => {
    const client = createSourceClient('x', proxiedSource(PASSWORD, { nonProxyHosts: ['*.internal', '10.0.*'] }));
    const direct = createSourceClient('x', config({ sources: { x: minioSource(bucket) } }).sources.x!);
    expect([client.http.viaProxy, direct.http.viaProxy]).toEqual([true, false]);
    client.s3.destroy();
    direct.s3.destroy();
  });

  it('tunnels to an https store with CONNECT through the proxy, trusting the store with serverCertificates', async () => {
    const before = proxy.log().length;
    const seen = await listAndRead(proxiedSource(PASSWORD, {}, {
      url: `s3://${tlsBucket}/`, endpoint: tlsMinio.endpoint, serverCertificates: [pki.caFile],
      credentials: { type: 'accessKey', accessKeyId: '${env:TLS_MINIO_KEY}', secretAccessKey: '${env:TLS_MINIO_SECRET}' },
    }), 'tunnel.txt');
    expect(seen).toEqual({ keys: ['tunnel.txt'], body: 'through a CONNECT tunnel', http: { viaProxy: true } });
    expect(newLogLines(before, `CONNECT 127.0.0.1:${tlsMinio.port}`)).not.toEqual([]);
  });
});
