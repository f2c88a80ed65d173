import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { SourceConfig } from '../../config/source-schema';
import { createSourceClient } from '../../s3/client';
import { credentialProvider } from '../../s3/credentials';
import { classifyS3Error } from '../../s3/errors';
import { signJwt } from '../harness/oidc-provider';
import { createBucket, createUser, putObjects } from '../harness/minio-admin';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { testEnv } from '../harness/test-env';

async function listKeys(source: SourceConfig | undefined, bucket: string): Promise<string[]> {
  const client = createSourceClient('src', source!);
  const out = await client.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

describe('credentials', () => {
  let bucket: string;
  let otherBucket: string;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    [bucket, otherBucket] = await Promise.all([createBucket('creds'), createBucket('creds-other')]);
    await putObjects(bucket, [{ key: 'a.txt', body: 'a' }]);
    await putObjects(otherBucket, [{ key: 'b.txt', body: 'b' }]);
  });

  it('signs with static access keys resolved from the environment', async () => {
    const { sources } = config({ sources: { src: minioSource(bucket) } });
    expect(await listKeys(sources.src, bucket)).toEqual(['a.txt']);
  });

  it('assumes an STS role on top of a limited user and keeps that user\'s limits', async () => {
    const user = createUser(`sts-${Date.now()}`, [
      { Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetObject'], Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] },
    ]);
    process.env.STS_USER_SECRET = user.secretAccessKey;
    const raw = (b: string) => minioSource(b, {
      region: 'us-east-1',
      credentials: { type: 'accessKey', accessKeyId: user.accessKeyId, secretAccessKey: '${env:STS_USER_SECRET}' },
      stsRole: { roleArn: 'arn:aws:iam::000000000000:role/reader', roleSessionName: 's3-connector-test', roleSessionDuration: 900, externalId: '${env:STS_USER_SECRET}' },
    });
    const { sources } = config({ sources: { src: raw(bucket), other: raw(otherBucket) } });
    const identity = await credentialProvider(sources.src!, 'sources.src')();
    expect(identity.accessKeyId).not.toBe(user.accessKeyId);
    expect(identity.sessionToken).toEqual(expect.any(String));
    expect(identity.expiration!.getTime()).toBeGreaterThan(Date.now() + 10 * 60_000);
    expect(await listKeys(sources.src, bucket)).toEqual(['a.txt']);
    const denied = await listKeys(sources.other, otherBucket).catch((err) => classifyS3Error(err, 'ListObjectsV2', otherBucket, 'list'));
    expect(denied).toMatchObject({ code: 'AccessDenied', message: expect.stringContaining('s3:ListBucket') });
  });

  it('exchanges an OIDC token file for credentials with AssumeRoleWithWebIdentity', async () => {
    const { oidc } = testEnv();
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt(readFileSync(oidc.privateKeyFile, 'utf8'), {
      iss: oidc.issuer, sub: 'pipeline-42', aud: oidc.clientId, azp: oidc.clientId, iat: now, exp: now + 3600,
    });
    const tokenFile = join(mkdtempSync(join(tmpdir(), 'oidc-')), 'token');
    writeFileSync(tokenFile, token);
    const { sources } = config({ sources: { src: minioSource(bucket, {
      region: 'us-east-1', credentials: { type: 'oidc', roleArn: oidc.roleArn, webIdentityTokenFile: tokenFile },
    }) } });
    const identity = await credentialProvider(sources.src!, 'sources.src')();
    expect(identity.sessionToken).toEqual(expect.any(String));
    expect(await listKeys(sources.src, bucket)).toEqual(['a.txt']);
  });

  it('uses the worker\'s ambient identity from the default provider chain for cloudIdentity', async () => {
    const { minio } = testEnv();
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = minio.rootUser;
    process.env.AWS_SECRET_ACCESS_KEY = minio.rootPassword;
    try {
      const { sources } = config({ sources: { src: minioSource(bucket, { credentials: { type: 'cloudIdentity' } }) } });
      expect(await listKeys(sources.src, bucket)).toEqual(['a.txt']);
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID; else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY; else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });

  it('fails AssumeRoleWithWebIdentity for a token signed by another key, naming the token as the problem', async () => {
    const { oidc } = testEnv();
    const { generateKeyPairSync } = await import('node:crypto');
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const now = Math.floor(Date.now() / 1000);
    const tokenFile = join(mkdtempSync(join(tmpdir(), 'oidc-')), 'token');
    writeFileSync(tokenFile, signJwt(stranger, { iss: oidc.issuer, sub: 'x', aud: oidc.clientId, iat: now, exp: now + 3600 }));
    const { sources } = config({ sources: { src: minioSource(bucket, {
      region: 'us-east-1', credentials: { type: 'oidc', roleArn: oidc.roleArn, webIdentityTokenFile: tokenFile },
    }) } });
    await expect(credentialProvider(sources.src!, 'sources.src')()).rejects.toThrow(/^sources\.src\.credentials: AssumeRoleWithWebIdentity failed: .*Fix: check that the token in/);
  });
});
