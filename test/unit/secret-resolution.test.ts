import { parseConfig } from '../../config/load';
import { resolveSecret, SecretResolutionError } from '../../config/secret-ref';
import { credentialProvider } from '../../s3/credentials';
import { classifyS3Error, S3OperationError, SECRET_RESOLUTION_CODE } from '../../s3/errors';
import { toApplicationFailure } from '../../worker/failure-interceptor';

const unset = new SecretResolutionError('sources.a.credentials.secretAccessKey: environment variable NOPE is not set on the worker. Fix: export NOPE in the worker\'s environment.');

describe('a secret the worker cannot resolve', () => {
  it('is permanent when it surfaces as an S3 call\'s failure, and keeps its own message', () => {
    const classified = classifyS3Error(unset, 'ListObjectsV2', 'b', 'ListObjectsV2 s3://b/');
    expect(classified).toBeInstanceOf(S3OperationError);
    expect(classified).toMatchObject({ kind: 'permanent', code: SECRET_RESOLUTION_CODE, message: unset.message });
  });

  it('is found inside the errors that wrap it', () => {
    const wrapped = new Error('credential provider failed', { cause: new Error('inner', { cause: unset }) });
    expect(classifyS3Error(wrapped, 'GetObject', 'b', 'GetObject s3://b/k')).toMatchObject({ kind: 'permanent', code: SECRET_RESOLUTION_CODE, message: unset.message });
  });

  it('becomes a non-retryable Temporal failure, raw or classified', () => {
    expect(toApplicationFailure(unset)).toMatchObject({ nonRetryable: true, type: SECRET_RESOLUTION_CODE, message: unset.message });
    expect(toApplicationFailure(classifyS3Error(unset, 'ListObjectsV2', 'b', 'x'))).toMatchObject({ nonRetryable: true, type: SECRET_RESOLUTION_CODE, message: unset.message });
  });

  it('names the reference and the fix, never a value', () => {
    expect(() => resolveSecret('${env:S3C_NEVER_SET}', 'f', {})).toThrow('f: environment variable S3C_NEVER_SET is not set on the worker. Fix: export S3C_NEVER_SET in the worker\'s environment.');
    expect(() => resolveSecret('${file:/nonexistent/secret}', 'f', {})).toThrow('f: secret file /nonexistent/secret cannot be read (ENOENT). Fix: make the file readable by the worker.');
    // A malformed reference may be a value written in its place: it is not echoed.
    let message = '';
    try {
      resolveSecret('${hunter2-s3cr3t', 'f', {});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe('f: is not a valid secret reference. Fix: write ${env:NAME} or ${file:PATH}.');
  });

  it('includes an OIDC token file the worker cannot read: permanent, before any STS call', async () => {
    const { config } = parseConfig({ sources: { a: { url: 's3://bucket-a/', endpoint: 'http://127.0.0.1:9', region: 'us-east-1',
      credentials: { type: 'oidc', roleArn: 'arn:aws:iam::1:role/r', webIdentityTokenFile: '/nonexistent/token' } } } });
    const failure = await credentialProvider(config.sources.a!, 'sources.a')().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(SecretResolutionError);
    expect(classifyS3Error(failure, 'GetObject', 'bucket-a', 'x')).toMatchObject({ kind: 'permanent',
      message: 'sources.a.credentials.webIdentityTokenFile: cannot read /nonexistent/token (ENOENT). Fix: point it at a token file the worker can read.' });
  });
});
