import { createBucket, createUser, putObjects } from '../harness/minio-admin';
import { minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile, config } from '../harness/connector';
import { testEnv } from '../harness/test-env';
import { freePort } from '../../devservers/process';

const write = (bucket: string) => ({ Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: [`arn:aws:s3:::${bucket}/*`] });
const read = (bucket: string) => [
  { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [`arn:aws:s3:::${bucket}`] },
  { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] },
];

describe('check', () => {
  let bucket: string;
  beforeAll(async () => {
    bucket = await createBucket('check');
    await putObjects(bucket, [{ key: 'in/a.csv', body: 'x,y\n1,2\n' }]);
  });

  it('reports ListBucket, GetObject and PutObject as ok for a user that has them, through a worker on Temporal', async () => {
    const user = createUser(`full-${Date.now()}`, [...read(bucket), write(bucket)]);
    const raw = { sources: { out: minioSource(bucket, {
      url: `s3://${bucket}/in/`, exports: { enabled: true },
      credentials: { type: 'accessKey', accessKeyId: user.accessKeyId, secretAccessKey: '${env:USER_SECRET}' },
    }) } };
    process.env.USER_SECRET = user.secretAccessKey;
    const file = writeConfigFile(raw);
    const result = await withWorker(config(raw), (taskQueue) =>
      runCli(['check', 'out', '--json', '--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue]));
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report.probes).toEqual([
      { permission: 's3:ListBucket', status: 'ok' },
      { permission: 's3:GetObject', status: 'ok' },
      { permission: 's3:PutObject', status: 'ok' },
      { permission: 's3:AbortMultipartUpload', status: 'ok' },
    ]);
    expect(result.code).toBe(0);
  });

  it('reports a wrong secret as rejected credentials and probes nothing else, so no permission is reported missing', async () => {
    const file = writeConfigFile({ sources: { wrong: minioSource(bucket, { maxErrorRetries: 0 }) } });
    const result = await runCli(['check', 'wrong', '--direct', '--config', file], { ...rootKeyEnv(), TEST_MINIO_SECRET: 'not-the-secret' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('ERROR   credentials — the store rejected them (SignatureDoesNotMatch); no permission was probed');
    expect(result.stdout).not.toContain('MISSING');
    expect(result.stderr).toContain('error: source wrong: the store rejected the credentials (SignatureDoesNotMatch); no permission was probed. Fix: check the access key id and secret');
    expect(`${result.stdout}${result.stderr}`).not.toContain('not-the-secret');
  });

  it('says an endpoint that refuses connections cannot be reached, with its address and the fix, instead of reporting missing permissions', async () => {
    const port = await freePort(); // nothing listens there
    const file = writeConfigFile({ sources: { gone: minioSource(bucket, { endpoint: `http://127.0.0.1:${port}`, maxErrorRetries: 0 }) } });
    const result = await runCli(['check', 'gone', '--direct', '--config', file], rootKeyEnv());
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`UNREACHABLE http://127.0.0.1:${port} — ListObjectsV2 s3://${bucket}/: ECONNREFUSED`);
    expect(result.stderr).toContain(`error: cannot connect to source gone at http://127.0.0.1:${port}: nothing was probed. Fix: check sources.gone.endpoint, that the server is up`);
    expect(result.stderr).not.toContain('permission probe');
  });

  it.each([
    ['s3:ListBucket', (b: string) => [read(b)[1]!, write(b)]],
    ['s3:GetObject', (b: string) => [read(b)[0]!, write(b)]],
    ['s3:PutObject', (b: string) => read(b)],
  ])('names %s as missing, with the statement that grants it, for a user without it', async (permission, statements) => {
    const user = createUser(`lack-${permission.replace('s3:', '').toLowerCase()}-${Date.now()}`, statements(bucket));
    const file = writeConfigFile({ sources: { src: minioSource(bucket, {
      url: `s3://${bucket}/in/`, exports: { enabled: true },
      credentials: { type: 'accessKey', accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
    }) } });
    const result = await runCli(['check', 'src', '--direct', '--config', file]);
    expect(result.code).toBe(1);
    const missing = result.stdout.split('\n').filter((l) => l.includes('MISSING'));
    expect(missing).toEqual([expect.stringContaining(permission)]);
    const resource = permission === 's3:ListBucket' ? `arn:aws:s3:::${bucket}"` : `arn:aws:s3:::${bucket}/*"`;
    expect(result.stdout).toContain(`{"Action":["${permission}"],"Resource":["${resource.slice(0, -1)}"],"Effect":"Allow"}`);
  });

  it('says the bucket does not exist instead of reporting GetObject as ok, and exits 1', async () => {
    const file = writeConfigFile({ sources: { gone: minioSource(`no-such-bucket-${Date.now()}`) } });
    const result = await runCli(['check', 'gone', '--direct', '--json', '--config', file], rootKeyEnv());
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout.split('\n')[0]!);
    expect(report.probes).toEqual([{ permission: 's3:ListBucket', status: 'error', detail: expect.stringContaining('does not exist') }]);
  });

  it('fails with exit code 2 and every config problem listed when the config is invalid', async () => {
    const file = writeConfigFile({ sources: { a: { url: 'http://nope', endpoint: 'x', credentials: { type: 'magic' } } } });
    const result = await runCli(['check', 'a', '--direct', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('sources.a.url');
    expect(result.stderr).toContain('sources.a.credentials.type');
  });

  it('names the missing environment variable of a secret reference without printing any secret', async () => {
    const file = writeConfigFile({ sources: { a: minioSource(bucket) } });
    const result = await runCli(['check', 'a', '--direct', '--config', file], { TEST_MINIO_KEY: rootKeyEnv().TEST_MINIO_KEY! });
    expect(result.stdout + result.stderr).toContain('environment variable TEST_MINIO_SECRET is not set');
    expect(result.stdout + result.stderr).not.toContain(testEnv().minio.rootPassword);
  });
});
