import { ConfigError } from '../../config/errors';
import { parseConfig } from '../../config/load';

const base = { url: 's3://bucket-a/', endpoint: 'http://127.0.0.1:9000', region: 'us-east-1' };
const accessKey = { type: 'accessKey', accessKeyId: 'AK', secretAccessKey: 'SK' };

/** Each secret field: its path in messages, and a source with `value` written in it. */
const SECRET_FIELDS: Array<[string, (value: unknown) => object]> = [
  ['sources.a.credentials.accessKeyId', (v) => ({ ...base, credentials: { ...accessKey, accessKeyId: v } })],
  ['sources.a.credentials.secretAccessKey', (v) => ({ ...base, credentials: { ...accessKey, secretAccessKey: v } })],
  ['sources.a.credentials.sessionToken', (v) => ({ ...base, credentials: { ...accessKey, sessionToken: v } })],
  ['sources.a.stsRole.externalId', (v) => ({ ...base, credentials: accessKey, stsRole: { roleArn: 'arn:aws:iam::1:role/r', externalId: v } })],
  ['sources.a.proxy.credentials.password', (v) => ({ ...base, credentials: accessKey, proxy: { host: 'proxy', port: 3128, credentials: { username: 'u', password: v } } })],
];

/** The whole text of the ConfigError `raw` raises (every problem's path and message). */
function configErrorText(raw: object): { text: string; problems: ConfigError['problems'] } {
  try {
    parseConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) return { text: `${err.message}\n${JSON.stringify(err.problems)}`, problems: err.problems };
    throw err;
  }
  throw new Error('config was accepted');
}

describe('an error about a secret field never prints its value', () => {
  it.each(SECRET_FIELDS)('%s: a numeric secret is refused by its type only, with the fix', (path, sourceWith) => {
    const { text, problems } = configErrorText({ sources: { a: sourceWith(982451653) } });
    expect(problems).toEqual([{ path, message: 'expected string, got a number (not shown: the field holds a secret). Fix: write ${env:NAME} or ${file:PATH} (or quote a literal value).' }]);
    expect(text).not.toContain('982451653');
  });

  it.each(SECRET_FIELDS)('%s: a string secret that is not a valid reference is not echoed', (path, sourceWith) => {
    const { text, problems } = configErrorText({ sources: { a: sourceWith('${s3cr3t-Value/42') } });
    expect(problems).toEqual([{ path, message: 'is not a valid secret reference. Fix: write ${env:NAME} or ${file:PATH}.' }]);
    expect(text).not.toContain('s3cr3t');
  });

  it.each(SECRET_FIELDS)('%s: a valid literal secret never appears in the problems of other fields', (_path, sourceWith) => {
    const { text } = configErrorText({ sources: { a: { ...sourceWith('l1teral-s3cr3t'), maxConnections: 'many' } } });
    expect(text).toContain('sources.a.maxConnections: expected number, got string "many"');
    expect(text).not.toContain('s3cr3t');
  });

  it('a boolean secret is named by its type only', () => {
    const { problems } = configErrorText({ sources: { a: { ...base, credentials: { ...accessKey, secretAccessKey: true } } } });
    expect(problems[0]!.message).toMatch(/^expected string, got a boolean \(not shown/);
  });

  it('a block that holds secrets, written as one string, is not echoed either', () => {
    const credentials = configErrorText({ sources: { a: { ...base, credentials: 'AKIAEXAMPLE:s3cr3t-key' } } });
    expect(credentials.problems[0]!.path).toBe('sources.a.credentials');
    expect(credentials.text).not.toContain('s3cr3t');
    const proxy = configErrorText({ sources: { a: { ...base, credentials: accessKey, proxy: 'http://user:s3cr3t@proxy:3128' } } });
    expect(proxy.problems).toEqual([{ path: 'sources.a.proxy', message: 'expected map, got a string (not shown: the field holds a secret). Fix: write a map.' }]);
    expect(proxy.text).not.toContain('s3cr3t');
  });

  it('a missing secret is still reported as required', () => {
    const { problems } = configErrorText({ sources: { a: { ...base, credentials: { type: 'accessKey', accessKeyId: 'AK' } } } });
    expect(problems).toEqual([{ path: 'sources.a.credentials.secretAccessKey', message: 'is required. Fix: write a value, ${env:NAME} or ${file:PATH}.' }]);
  });
});
