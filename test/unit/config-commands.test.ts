import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parseDocument } from 'yaml';
import { configJsonSchema, validateConfig, writeStarterConfig } from '../../client/commands/config';
import { ConfigError } from '../../config/errors';
import { STARTER_CONFIG } from '../../config/starter';
import { tempDir } from '../harness/temp-dir';

const options = (config: string) => ({ config, json: false, address: 'localhost:7233', namespace: 'default', taskQueue: 's3-connector' });

/** Every ```yaml block of the config reference that holds a whole config (it has `sources:`). */
function documentedConfigs(): unknown[] {
  const text = readFileSync(join(__dirname, '../../docs/config.md'), 'utf8');
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((y) => /^sources:/m.test(y)).map((y) => parseDocument(y).toJS());
}

describe('init and config validate', () => {
  it('init writes a starter config that config validate accepts as written', () => {
    const file = join(tempDir('init-'), 's3-connector.yaml');
    writeStarterConfig(file);
    expect(readFileSync(file, 'utf8')).toBe(STARTER_CONFIG);
    expect(validateConfig(options(file))).toMatchObject({ file, sources: 1, syncs: 1, exports: 0, virtualTables: 0 });
  });

  it('init refuses to overwrite an existing file and leaves it as it was', () => {
    const file = join(tempDir('init-'), 's3-connector.yaml');
    writeFileSync(file, 'sources: {}\n');
    expect(() => writeStarterConfig(file)).toThrow(/already exists; it was left as it is\. Fix: remove it first/);
    expect(readFileSync(file, 'utf8')).toBe('sources: {}\n');
  });

  it('config validate reports every problem of a broken file at once', () => {
    const file = join(tempDir('validate-'), 'bad.yaml');
    writeFileSync(file, STARTER_CONFIG.replace('source: landing', 'source: landng').replace('mode: bulk', 'mode: bulkk'));
    let error: unknown;
    try { validateConfig(options(file)); } catch (err) { error = err; }
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).problems.map((p) => p.path).sort();
    expect(paths).toEqual(['syncs.landing-files.mode', 'syncs.landing-files.source']);
  });
});

describe('config schema', () => {
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(configJsonSchema());

  it('accepts the starter config and every complete example of the config reference', () => {
    const configs = [parseDocument(STARTER_CONFIG).toJS(), ...documentedConfigs()];
    expect(configs.length).toBeGreaterThan(1);
    for (const config of configs) {
      expect({ valid: validate(config), errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
    }
  });

  it('rejects a misspelt field and a wrong type, as an editor would underline them', () => {
    const config = parseDocument(STARTER_CONFIG).toJS() as { sources: { landing: Record<string, unknown> } };
    config.sources.landing.endpiont = 'x';
    config.sources.landing.maxErrorRetries = 'three';
    expect(validate(config)).toBe(false);
    const where = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
    expect(where).toEqual(expect.arrayContaining(['/sources/landing additionalProperties', '/sources/landing/maxErrorRetries type']));
  });
});
