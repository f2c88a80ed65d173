import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createSourceClient } from '../../s3/client';
import { S3OperationError } from '../../s3/errors';
import type { ObjectResponse } from '../../s3/lean-client';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { adminS3, createBucket, createUser, putObjects } from '../harness/minio-admin';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const bytes = async (res: ObjectResponse) => {
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};
const failure = async (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (err: unknown) => err as S3OperationError);

describe('the lean GetObject and PutObject path of syncs and small exports', () => {
  let bucket: string;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('reader');
  });
  const client = (extra: Record<string, unknown> = {}) =>
    createSourceClient('src', config({ sources: { src: minioSource(bucket, extra) } }).sources.src!, 'temporal');

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
});
