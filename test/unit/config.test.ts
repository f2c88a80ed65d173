import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../../config/load';
import { tempDir } from '../harness/temp-dir';
import { configProblems as problemsOf } from '../harness/config-problems';

const minimalSource = { url: 's3://bucket-a/in/', endpoint: 'http://127.0.0.1:9000', credentials: { type: 'accessKey', accessKeyId: 'k', secretAccessKey: '${env:SECRET}' } };


describe('config validation', () => {
  it('accepts a minimal source and fills the documented defaults', () => {
    const { config } = parseConfig({ sources: { a: minimalSource } });
    const source = config.sources.a!;
    expect(source.connectionTimeoutMs).toBe(50000);
    expect(source.socketTimeoutMs).toBe(50000);
    expect(source.maxConnections).toBe(50);
    expect(source.maxErrorRetries).toBe(3);
    expect(source.pathStyleAccess).toBe(false);
    expect(source.exports.enabled).toBe(false);
    expect(config.datasetStore).toBe('./data');
  });

  it('reports every problem at once, each with its path and a fix', () => {
    const problems = problemsOf({
      sources: {
        a: { ...minimalSource, url: 'http://bucket/', connectionTimeoutMs: -5, endpiont: 'x' },
        b: { url: 's3://my.bucket/', endpoint: 'localhost:9000', credentials: { type: 'password' } },
      },
      syncs: { j: { source: 'nope', dataset: 'd', mode: 'bulk' } },
    });
    const paths = problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining([
      'sources.a.url', 'sources.a.connectionTimeoutMs', 'sources.a.endpiont', 'sources.b.credentials.type', 'syncs.j.source',
    ]));
    for (const p of problems) expect(p.message).toMatch(/Fix:|must|expected/);
  });

  it('names a missing required field as required', () => {
    const problems = problemsOf({ sources: { a: { url: 's3://bucket-a/' , credentials: { type: 'cloudIdentity' } } } });
    expect(problems).toEqual([expect.objectContaining({ path: 'sources.a.endpoint', message: expect.stringMatching(/^is required/) })]);
  });

  it('requires path-style access for bucket names with dots', () => {
    const problems = problemsOf({ sources: { a: { ...minimalSource, url: 's3://my.dotted.bucket/' } } });
    expect(problems).toEqual([expect.objectContaining({ path: 'sources.a.pathStyleAccess', message: expect.stringContaining('pathStyleAccess: true') })]);
  });

  it('accepts clientKms with a key alias, id or ARN and defaults allowLegacy and allowPlaintext to false', () => {
    for (const keyId of ['alias/x', '1234abcd-12ab-34cd-56ef-1234567890ab', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab']) {
      const { config } = parseConfig({ sources: { a: { ...minimalSource, region: 'us-east-1', clientKms: { keyId } } } });
      expect(config.sources.a!.clientKms).toEqual({ keyId, allowLegacy: false, allowPlaintext: false });
    }
  });

  it('refuses a clientKms keyId that is no KMS key id and asks for a region when none can be found', () => {
    expect(problemsOf({ sources: { a: { ...minimalSource, region: 'us-east-1', clientKms: { keyId: 'my key' } } } }))
      .toEqual([expect.objectContaining({ path: 'sources.a.clientKms.keyId', message: expect.stringContaining('alias/<name>') })]);
    expect(problemsOf({ sources: { a: { ...minimalSource, clientKms: { keyId: 'alias/x' } } } }))
      .toEqual([expect.objectContaining({ path: 'sources.a.clientKms.region', message: expect.stringContaining('Fix: set clientKms.region') })]);
    expect(problemsOf({ sources: { a: { ...minimalSource, region: 'us-east-1', clientKms: { keyId: 'alias/x', kmsEndpoint: 'http://169.254.169.254/' } } } }))
      .toEqual([expect.objectContaining({ path: 'sources.a.clientKms.kmsEndpoint' })]);
  });

  it('rejects malformed secret references', () => {
    const problems = problemsOf({ sources: { a: { ...minimalSource, credentials: { type: 'accessKey', accessKeyId: '${env:}', secretAccessKey: '${vault:x}' } } } });
    expect(problems.map((p) => p.path).sort()).toEqual(['sources.a.credentials.accessKeyId', 'sources.a.credentials.secretAccessKey']);
  });

  it('requires a region for STS roles and OIDC', () => {
    const problems = problemsOf({ sources: { a: { ...minimalSource, stsRole: { roleArn: 'arn:aws:iam::1:role/r' } } } });
    expect(problems).toEqual([expect.objectContaining({ path: 'sources.a.region' })]);
  });

  it('fixes a missing trailing slash with a warning', () => {
    const { warnings } = parseConfig({ sources: { a: { ...minimalSource, url: 's3://bucket-a/in' } } });
    expect(warnings).toEqual([expect.stringContaining('no trailing slash')]);
  });

  it('warns when the region contradicts the endpoint', () => {
    const { warnings } = parseConfig({ sources: { a: { ...minimalSource, endpoint: 's3.eu-west-1.amazonaws.com', region: 'us-east-1' } } });
    expect(warnings).toEqual([expect.stringContaining('contradicts the endpoint\'s region "eu-west-1"')]);
  });

  it('refuses public ACLs and exports to sources without exports enabled', () => {
    const problems = problemsOf({
      sources: { out: minimalSource },
      exports: { e: { dataset: 'd', source: 'out', cannedAcl: 'public-read' } },
    });
    expect(problems.map((p) => p.path).sort()).toEqual(['exports.e.cannedAcl', 'exports.e.source']);
  });

  it('reports YAML syntax errors with their line, and a missing file with the fix', () => {
    const dir = tempDir('cfg-');
    const file = join(dir, 's3-connector.yaml');
    writeFileSync(file, 'sources:\n  a: [unclosed\n');
    expect(() => loadConfig(file)).toThrow(/line \d/);
    expect(() => loadConfig(join(dir, 'missing.yaml'))).toThrow(/does not exist\. Fix: create s3-connector.yaml/);
  });
});
