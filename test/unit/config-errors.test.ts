import { configProblems } from '../harness/config-problems';

const source = { url: 's3://bucket-a/', endpoint: 'http://127.0.0.1:9000', credentials: { type: 'cloudIdentity' } };

/** The first problem the config is refused with. */
const firstProblem = (raw: object): { path: string; message: string } => configProblems(raw)[0]!;

describe('every kind of config error names the field, the problem and the fix', () => {
  it.each([
    ['an unknown field', { sources: { a: { ...source, endpiont: 'x' } } }, 'sources.a.endpiont', /not a known field\. Fix:/],
    ['a missing required field', { sources: { a: { url: 's3://bucket-a/', credentials: { type: 'cloudIdentity' } } } }, 'sources.a.endpoint', /^is required\. Fix:/],
    ['a value of the wrong type', { sources: { a: { ...source, maxConnections: 'many' } } }, 'sources.a.maxConnections', /expected number, got string "many"/],
    ['a number out of range', { sources: { a: { ...source, socketTimeoutMs: 0 } } }, 'sources.a.socketTimeoutMs', /at least 1\. Fix:/],
    ['an unknown credentials type', { sources: { a: { ...source, credentials: { type: 'password' } } } }, 'sources.a.credentials.type', /one of accessKey, oidc, cloudIdentity/],
    ['a malformed secret reference', { sources: { a: { ...source, credentials: { type: 'accessKey', accessKeyId: 'k', secretAccessKey: '${env:A' } } } }, 'sources.a.credentials.secretAccessKey', /\$\{env:NAME\}/],
    ['a URL that is not S3', { sources: { a: { ...source, url: 'https://bucket-a/' } } }, 'sources.a.url', /Fix: write s3:\/\/bucket-name\//],
    ['an invalid bucket name', { sources: { a: { ...source, url: 's3://Bucket_A/' } } }, 'sources.a.url', /not a valid bucket name/],
    ['an endpoint with a path', { sources: { a: { ...source, endpoint: 'http://127.0.0.1:9000/bucket' } } }, 'sources.a.endpoint', /move the bucket and path into url/],
    ['a dotted bucket without path style', { sources: { a: { ...source, url: 's3://a.b.c/' } } }, 'sources.a.pathStyleAccess', /pathStyleAccess: true/],
    ['a client-side KMS key that is no key id', { sources: { a: { ...source, clientKms: { keyId: 'k', region: 'us-east-1' } } } }, 'sources.a.clientKms.keyId', /key id, key ARN or alias/],
    ['an STS role without region', { sources: { a: { ...source, stsRole: { roleArn: 'arn:aws:iam::1:role/r' } } } }, 'sources.a.region', /required when stsRole is set/],
    ['a malformed role ARN', { sources: { a: { ...source, region: 'us-east-1', stsRole: { roleArn: 'reader' } } } }, 'sources.a.stsRole.roleArn', /arn:aws:iam::<account>:role\/<name>/],
    ['a session duration beyond STS limits', { sources: { a: { ...source, region: 'us-east-1', stsRole: { roleArn: 'arn:aws:iam::1:role/r', roleSessionDuration: 60 } } } }, 'sources.a.stsRole.roleSessionDuration', /at least 900/],
    ['a proxy host with a scheme', { sources: { a: { ...source, proxy: { host: 'http://p', port: 3128 } } } }, 'sources.a.proxy.host', /without a scheme/],
    ['a proxy port out of range', { sources: { a: { ...source, proxy: { host: 'p', port: 70000 } } } }, 'sources.a.proxy.port', /1-65535/],
    ['a sync naming an unknown source', { sources: { a: source }, syncs: { j: { source: 'b', dataset: 'd', mode: 'bulk' } } }, 'syncs.j.source', /Fix: use one of a/],
    ['an unknown sync mode', { sources: { a: source }, syncs: { j: { source: 'a', dataset: 'd', mode: 'mirror' } } }, 'syncs.j.mode', /bulk, incremental or media/],
    ['a media sync without media types', { sources: { a: source }, syncs: { j: { source: 'a', dataset: 'd', mode: 'media' } } }, 'syncs.j.mediaTypes', /required for mode: media/],
    ['size filters that exclude everything', { sources: { a: source }, syncs: { j: { source: 'a', dataset: 'd', mode: 'bulk', filters: { minSizeBytes: 10, maxSizeBytes: 1 } } } }, 'syncs.j.filters', /swap or correct/],
    ['an invalid time filter', { sources: { a: source }, syncs: { j: { source: 'a', dataset: 'd', mode: 'bulk', filters: { lastModifiedAfter: 'yesterday' } } } }, 'syncs.j.filters.lastModifiedAfter', /ISO-8601/],
    ['a bad cron schedule', { sources: { a: source }, syncs: { j: { source: 'a', dataset: 'd', mode: 'bulk', schedule: { cron: 'hourly' } } } }, 'syncs.j.schedule.cron', /5-field cron/],
    ['a subfolder escaping the source', { sources: { a: source }, syncs: { j: { source: 'a', dataset: 'd', mode: 'bulk', subfolder: '../x/' } } }, 'syncs.j.subfolder', /without "\.\."/],
    ['an export to a source without exports enabled', { sources: { a: source }, exports: { e: { dataset: 'd', source: 'a' } } }, 'exports.e.source', /exports\.enabled: true/],
    ['a public canned ACL', { sources: { a: { ...source, exports: { enabled: true } } }, exports: { e: { dataset: 'd', source: 'a', cannedAcl: 'public-read-write' } } }, 'exports.e.cannedAcl', /allowPublicAcl: true/],
    ['an export with the name of a sync job', { sources: { a: { ...source, exports: { enabled: true } } }, syncs: { j: { source: 'a', dataset: 'd', mode: 'bulk' } }, exports: { j: { dataset: 'd', source: 'a' } } }, 'exports.j', /name of a sync job.*rename the export/],
    ['a virtual table with neither location nor identifier', { sources: { a: source }, virtualTables: { t: { source: 'a', format: 'delta' } } }, 'virtualTables.t', /exactly one of location or identifier/],
    ['a name unusable in workflow IDs', { sources: { 'bad name!': source } }, 'sources.bad name!', /letters, digits/],
  ])('reports %s', (_what, raw, path, message) => {
    const problem = firstProblem(raw);
    expect(problem.path).toBe(path);
    expect(problem.message).toMatch(message);
  });
});
