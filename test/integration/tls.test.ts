import { readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { MinioServer } from '../../devservers/minio';
import { createSourceClient } from '../../s3/client';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { createBucket, putObjects } from '../harness/minio-admin';
import { createTestPki, type TestPki } from '../harness/pki';
import { listAndRead } from '../harness/source-probe';
import { testEnv } from '../harness/test-env';
import { startTlsMinio } from '../harness/tls-minio';

const CERT_ERROR = /self[- ]signed|unable to verify|certificate/i;

/** A source config over `endpoint` for `bucket`, failing fast (no SDK retries). */
function source(bucket: string, extra: Record<string, unknown>) {
  return config({ sources: { x: minioSource(bucket, { maxErrorRetries: 0, ...extra }) } }).sources.x!;
}

describe('TLS to an https store', () => {
  const bucket = 'tls-data';
  let pki: TestPki;
  let minio: MinioServer;

  beforeAll(async () => {
    pki = createTestPki();
    minio = await startTlsMinio(pki);
    process.env.TLS_MINIO_KEY = minio.rootUser;
    process.env.TLS_MINIO_SECRET = minio.rootPassword;
    // Arranged with a plain SDK client that trusts the test CA, independent of the code under test.
    const admin = new S3Client({
      endpoint: minio.endpoint, region: 'us-east-1', forcePathStyle: true,
      credentials: { accessKeyId: minio.rootUser, secretAccessKey: minio.rootPassword },
      requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca: readFileSync(pki.caFile, 'utf8') }) }),
    });
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'hello.txt', Body: 'over tls' }));
    admin.destroy();
  });
  afterAll(async () => {
    await minio?.stop();
  });

  const tlsSource = (extra: Record<string, unknown> = {}) => source(bucket, {
    endpoint: minio.endpoint,
    credentials: { type: 'accessKey', accessKeyId: '${env:TLS_MINIO_KEY}', secretAccessKey: '${env:TLS_MINIO_SECRET}' },
    ...extra,
  });

  it('lists and reads objects when serverCertificates names the CA that signed the store certificate', async () => {
    const seen = await listAndRead(tlsSource({ serverCertificates: [pki.caFile] }), 'hello.txt');
    expect(seen.keys).toEqual(['hello.txt']);
    expect(seen.body).toBe('over tls');
  });

  it('refuses the store with a certificate error when no serverCertificates are given', async () => {
    const failure = listAndRead(tlsSource(), 'hello.txt');
    await expect(failure).rejects.toThrow(CERT_ERROR);
  });

  it('refuses the store when serverCertificates names a different CA, so the extra CA is really verified', async () => {
    const other = createTestPki();
    await expect(listAndRead(tlsSource({ serverCertificates: [other.caFile] }), 'hello.txt')).rejects.toThrow(CERT_ERROR);
  });

  it('names the field and the file when a serverCertificates file cannot be read', () => {
    expect(() => createSourceClient('x', tlsSource({ serverCertificates: [`${pki.dir}/missing.pem`] })))
      .toThrow(`sources.x.serverCertificates: cannot read ${pki.dir}/missing.pem (ENOENT)`);
  });
});

describe('client certificates (mutual TLS)', () => {
  let pki: TestPki;
  let bucket: string;
  let front: tls.Server;
  let frontPort: number;
  const sockets = new Set<net.Socket>();
  const refusals: string[] = [];

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    pki = createTestPki();
    bucket = await createBucket('mtls');
    await putObjects(bucket, [{ key: 'secret.txt', body: 'only with a client certificate' }]);
    // A TLS front that demands a client certificate signed by the test CA and pipes each
    // accepted connection to the plain-http MinIO of this run.
    const upstream = new URL(testEnv().minio.endpoint);
    front = tls.createServer({
      key: readFileSync(pki.serverKeyFile), cert: readFileSync(pki.serverCertFile), ca: readFileSync(pki.caFile),
      requestCert: true, rejectUnauthorized: true,
    }, (socket) => {
      const store = net.connect(Number(upstream.port), upstream.hostname);
      for (const s of [socket, store]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => { socket.destroy(); store.destroy(); });
      }
      socket.pipe(store).pipe(socket);
    });
    front.on('tlsClientError', (err) => refusals.push(err.message));
    await new Promise<void>((ok) => front.listen(0, '127.0.0.1', ok));
    frontPort = (front.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((done) => front?.close(done));
  });

  const frontSource = (extra: Record<string, unknown>) =>
    source(bucket, { endpoint: `https://127.0.0.1:${frontPort}`, serverCertificates: [pki.caFile], ...extra });

  it('lists and reads through a front that requires a client certificate when clientCertificate is set', async () => {
    const seen = await listAndRead(frontSource({
      clientCertificate: { certificateFile: pki.clientCertFile, privateKeyFile: pki.clientKeyFile },
    }), 'secret.txt');
    expect(seen.keys).toEqual(['secret.txt']);
    expect(seen.body).toBe('only with a client certificate');
  });

  it('is refused by that front when no clientCertificate is set', async () => {
    refusals.length = 0;
    // TLS 1.3: the client learns of the refusal from the front's alert (or, at worst, a reset
    // when its request races the close); the front names the reason.
    await expect(listAndRead(frontSource({}), 'secret.txt')).rejects.toThrow(/alert certificate required|ECONNRESET|EPIPE|socket hang up/);
    expect(refusals).toEqual([expect.stringContaining('peer did not return a certificate')]);
  });

  it('names the field and the file when the client private key cannot be read', () => {
    expect(() => createSourceClient('x', frontSource({
      clientCertificate: { certificateFile: pki.clientCertFile, privateKeyFile: `${pki.dir}/nope.key` },
    }))).toThrow(`sources.x.clientCertificate.privateKeyFile: cannot read ${pki.dir}/nope.key (ENOENT)`);
  });
});
