import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createSourceClient } from '../../s3/client';
import { S3OperationError } from '../../s3/errors';
import { leanClient, type ObjectResponse } from '../../s3/lean-client';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { adminS3, createBucket, createUser, putObjects } from '../harness/minio-admin';
import { testEnv } from '../harness/test-env';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const bytes = async (res: ObjectResponse) => {
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};
const MiB = 1024 ** 2;
/** `data` as a stream of 64 KiB chunks, the way a file is read; `cut` ends it with an error after that many bytes. */
const chunked = (data: Buffer, cut?: number) => Readable.from((function* () {
  for (let i = 0; i < data.length; i += 65536) {
    if (cut !== undefined && i >= cut) throw new Error('disk read failed');
    yield data.subarray(i, i + 65536);
  }
})());
const failure = async (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (err: unknown) => err as S3OperationError);

describe('the lean GetObject and PutObject path of syncs and exports', () => {
  let bucket: string;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('reader');
  });
  const client = (extra: Record<string, unknown> = {}) =>
    createSourceClient('src', config({ sources: { src: minioSource(bucket, extra) } }).sources.src!);

  it('signs and reads keys with spaces, unicode, reserved and RFC 3986 characters byte for byte', async () => {
    const keys = ['a b/c d.txt', 'ünï/コード.bin', "odd/!'()*.txt", 'odd/+%#?&=;@$,.txt', 'odd/~tilde', `${'x'.repeat(250)}/${'y'.repeat(250)}/${'z'.repeat(250)}`];
    await putObjects(bucket, keys.map((key) => ({ key, body: `body of ${key}` })));
    const reader = client().read;
    for (const key of keys) expect((await bytes(await reader(key))).toString()).toBe(`body of ${key}`);
  });

  it('returns the stored SHA-256 checksum and version headers the copy verifies against', async () => {
    const body = Buffer.alloc(70_000, 3);
    await adminS3().send(new PutObjectCommand({ Bucket: bucket, Key: 'sum.bin', Body: body, ChecksumAlgorithm: 'SHA256' }));
    const res = await client().read('sum.bin', { checksums: true });
    expect(Buffer.from(res.headers['x-amz-checksum-sha256'] as string, 'base64').toString('hex')).toBe(sha(body));
    expect(sha(await bytes(res))).toBe(sha(body));
  });

  it('fails as gone when the ETag no longer matches or the key was deleted, so the copy records it and goes on', async () => {
    await putObjects(bucket, [{ key: 'v.txt', body: 'v2' }]);
    const stale = await failure(client().read('v.txt', { ifMatch: '"0123456789abcdef0123456789abcdef"' }));
    expect(stale).toBeInstanceOf(S3OperationError);
    expect(stale).toMatchObject({ kind: 'gone', code: 'PreconditionFailed', status: 412 });
    expect(await failure(client().read('missing.txt'))).toMatchObject({ kind: 'gone', code: 'NoSuchKey', status: 404 });
  });

  it('fails permanently, naming s3:GetObject and the statement that grants it, when the credentials lack it', async () => {
    await putObjects(bucket, [{ key: 'secret.txt', body: 's' }]);
    const user = createUser(`reader-list-${Date.now()}`, [{ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [`arn:aws:s3:::${bucket}`] }]);
    const err = await failure(client({ credentials: { type: 'accessKey', accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey } }).read('secret.txt'));
    expect(err).toMatchObject({ kind: 'permanent', code: 'AccessDenied', status: 403 });
    expect(err.message).toContain('s3:GetObject');
    expect(err.message).not.toContain(user.secretAccessKey);
  });

  it('signs with temporary STS credentials, session token included', async () => {
    await putObjects(bucket, [{ key: 'sts.txt', body: 'via sts' }]);
    const user = createUser(`reader-sts-${Date.now()}`, [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] }]);
    const reader = client({
      region: 'us-east-1',
      credentials: { type: 'accessKey', accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      stsRole: { roleArn: 'arn:aws:iam::000000000000:role/reader', roleSessionName: 'reader-test' },
    }).read;
    expect((await bytes(await reader('sts.txt'))).toString()).toBe('via sts');
  });

  it('puts a small object with a signed payload and its SHA-256 checksum, and the reply carries the checksum and ETag', async () => {
    const body = Buffer.from('exported bytes');
    const reply = await client().write('put/ok.txt', { body, sha256: sha(body), headers: { 'x-amz-checksum-sha256': createHash('sha256').update(body).digest('base64') } });
    expect(reply['x-amz-checksum-sha256']).toBe(createHash('sha256').update(body).digest('base64'));
    expect(reply.etag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    expect((await bytes(await client().read('put/ok.txt'))).toString()).toBe('exported bytes');
  });

  it('refuses a put whose bytes do not match the signed SHA-256, and stores nothing', async () => {
    const err = await failure(client().write('put/bad.txt', { body: Buffer.from('other bytes'), sha256: sha('the recorded bytes') }));
    expect(err).toBeInstanceOf(S3OperationError);
    expect(err.status).toBe(400);
    expect(await failure(client().read('put/bad.txt'))).toMatchObject({ kind: 'gone' });
  });

  describe('streamed bodies', () => {
    const data = randomBytes(5 * MiB + 123);
    const checksum = { 'x-amz-checksum-sha256': createHash('sha256').update(data).digest('base64') };

    it('streams a multi-MiB body with the signed SHA-256; the store keeps it byte for byte with its checksum and the socket stays pooled', async () => {
      // Built on an agent of its own, to see its pool.
      const { minio } = testEnv();
      const transport = { httpAgent: new http.Agent({ keepAlive: true }), httpsAgent: new https.Agent(), connectionTimeoutMs: 5000, socketTimeoutMs: 30000 };
      const c = leanClient({ endpoint: new URL(minio.endpoint), bucket, region: 'us-east-1', pathStyle: true, transport,
        credentials: async () => ({ accessKeyId: minio.rootUser, secretAccessKey: minio.rootPassword }) });
      const reply = await c.write('stream/ok.bin', { body: chunked(data), contentLength: data.length, sha256: sha(data), headers: checksum });
      expect(reply['x-amz-checksum-sha256']).toBe(checksum['x-amz-checksum-sha256']);
      const stored = await adminS3().send(new GetObjectCommand({ Bucket: bucket, Key: 'stream/ok.bin', ChecksumMode: 'ENABLED' }));
      expect(stored.ChecksumSHA256).toBe(checksum['x-amz-checksum-sha256']);
      expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(data)).toBe(true);
      // The reply was consumed: its keep-alive socket went back to the pool for the next request.
      await new Promise((r) => setImmediate(r));
      expect(Object.values(transport.httpAgent.freeSockets).flat().length).toBe(1);
      transport.httpAgent.destroy();
    });

    it('is refused by the store (400 XAmzContentSHA256Mismatch) when one byte differs from the signed SHA-256, and nothing is stored', async () => {
      const damaged = Buffer.from(data);
      damaged.writeUInt8(damaged.readUInt8(3 * MiB) ^ 0xff, 3 * MiB);
      const body = chunked(damaged);
      const err = await failure(client().write('stream/bad.bin', { body, contentLength: data.length, sha256: sha(data), headers: checksum }));
      expect(err).toMatchObject({ code: 'XAmzContentSHA256Mismatch', status: 400 });
      expect(err.message).toContain("The provided 'x-amz-content-sha256' header does not match");
      expect(body.destroyed).toBe(true);
      expect(await failure(client().read('stream/bad.bin'))).toMatchObject({ kind: 'gone' });
    });

    it('fails at once, without waiting for the socket timeout, when the stream is shorter or longer than its content-length', async () => {
      const started = Date.now();
      const short = await failure(client().write('stream/short.bin', { body: chunked(data.subarray(0, MiB)), contentLength: data.length, sha256: sha(data) }));
      expect(short).toMatchObject({ kind: 'transient', code: 'BodyLengthMismatch' });
      expect(short.message).toContain(`was to be ${data.length} bytes but its stream gave ${MiB}`);
      const long = await failure(client().write('stream/long.bin', { body: chunked(Buffer.concat([data, data])), contentLength: data.length, sha256: sha(data) }));
      expect(long).toMatchObject({ kind: 'transient', code: 'BodyLengthMismatch' });
      expect(Date.now() - started).toBeLessThan(10_000);
      for (const key of ['stream/short.bin', 'stream/long.bin']) expect(await failure(client().read(key))).toMatchObject({ kind: 'gone' });
    });

    it('fails with the stream\'s error when the body fails midway, and stores nothing', async () => {
      const err = await failure(client().write('stream/cut.bin', { body: chunked(data, 2 * MiB), contentLength: data.length, sha256: sha(data) }));
      expect(err.message).toContain('disk read failed');
      expect(await failure(client().read('stream/cut.bin'))).toMatchObject({ kind: 'gone' });
    });

    it('destroys the body and stores nothing when the signal aborts the upload', async () => {
      const controller = new AbortController();
      let sent = 0;
      const body = chunked(data).on('data', (chunk: Buffer) => {
        sent += chunk.length;
        if (sent >= MiB) controller.abort();
      });
      const err = await failure(client().write('stream/aborted.bin', { body, contentLength: data.length, sha256: sha(data), signal: controller.signal }));
      expect(err).toMatchObject({ kind: 'transient', code: 'AbortError' });
      expect(body.destroyed).toBe(true);
      expect(await failure(client().read('stream/aborted.bin'))).toMatchObject({ kind: 'gone' });
    });

    it('reports a refusal by its status when the store closes the connection before its error document is read whole', async () => {
      // What MinIO sometimes does under load: a 403 whose body the reset connection cuts short.
      const server = http.createServer((req, res) => {
        res.writeHead(403, { 'content-length': 1000 });
        res.write('<Error><Code>AccessD');
        setTimeout(() => req.socket.destroy(), 20);
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      const transport = { httpAgent: new http.Agent({ keepAlive: true }), httpsAgent: new https.Agent(), connectionTimeoutMs: 5000, socketTimeoutMs: 30000 };
      const c = leanClient({ endpoint: new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}`), bucket, region: 'us-east-1', pathStyle: true, transport,
        credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' }) });
      try {
        const body = chunked(data);
        const err = await failure(c.write('stream/cut-refusal.bin', { body, contentLength: data.length, sha256: sha(data) }));
        expect(err).toMatchObject({ kind: 'permanent', code: 'AccessDenied', status: 403 });
        expect(err.message).toContain('s3:PutObject');
        expect(body.destroyed).toBe(true);
      } finally {
        transport.httpAgent.destroy();
        await new Promise((done) => server.close(done));
      }
    });

    it('reports the store\'s AccessDenied, naming s3:PutObject, when the store refuses before the body is sent', async () => {
      const user = createUser(`writer-get-${Date.now()}`, [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] }]);
      const body = chunked(Buffer.concat([data, data, data]));
      const err = await failure(client({ credentials: { type: 'accessKey', accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey } })
        .write('stream/denied.bin', { body, contentLength: 3 * data.length, sha256: sha(Buffer.concat([data, data, data])) }));
      expect(err).toMatchObject({ kind: 'permanent', code: 'AccessDenied', status: 403 });
      expect(err.message).toContain('s3:PutObject');
      expect(body.destroyed).toBe(true);
    });
  });
});
