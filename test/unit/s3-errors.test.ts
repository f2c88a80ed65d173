import { classifyS3Error } from '../../s3/errors';

const reply = (code: string, status: number) => ({ name: code, message: `${code} from the store`, $metadata: { httpStatusCode: status } });

describe('S3 error classification', () => {
  it('reports a wrong secret or key id as bad credentials, never as a missing permission, though both come with 403', () => {
    for (const code of ['SignatureDoesNotMatch', 'InvalidAccessKeyId']) {
      const err = classifyS3Error(reply(code, 403), 'ListObjectsV2', 'b', 'ListObjectsV2 s3://b/');
      expect(err).toMatchObject({ kind: 'permanent', code });
      expect(err.message).toContain('rejected the credentials');
      expect(err.message).not.toContain('lack s3:');
    }
  });

  it('reports AccessDenied as the missing permission with the statement that grants it', () => {
    const err = classifyS3Error(reply('AccessDenied', 403), 'GetObject', 'b', 'GetObject s3://b/k');
    expect(err).toMatchObject({ kind: 'permanent', code: 'AccessDenied' });
    expect(err.message).toContain('The credentials lack s3:GetObject');
  });

  it('keeps a throttling reply transient, with the wait the store asked for', () => {
    const err = classifyS3Error({ ...reply('SlowDown', 503), $response: { headers: { 'retry-after': '3' } } }, 'GetObject', 'b', 'GetObject s3://b/k');
    expect(err).toMatchObject({ kind: 'transient', code: 'SlowDown', retryAfterMs: 3000, throttled: true });
  });
});
