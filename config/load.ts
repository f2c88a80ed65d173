/**
 * Finding, reading and validating the config file. Secrets stay unresolved references here:
 * only the worker resolves them (see secret-ref.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError, problemsFromZod, type ConfigProblem } from './errors';
import { configSchema, type ConnectorConfig } from './schema';
import { parseEndpoint, parseSourceUrl } from './source-url';

/** The default config file name, looked up in the working directory. */
export const DEFAULT_CONFIG_FILE = 's3-connector.yaml';

/** A validated config plus the non-fatal warnings found while reading it. */
export interface LoadedConfig {
  file: string;
  config: ConnectorConfig;
  warnings: string[];
}

/** Which file to read: `--config`, then `S3_CONNECTOR_CONFIG`, then ./s3-connector.yaml. */
export function configPath(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.S3_CONNECTOR_CONFIG ?? DEFAULT_CONFIG_FILE);
}

/** Validates already-parsed YAML. @throws ConfigError with every problem at once. */
export function parseConfig(raw: unknown, file = '<config>'): LoadedConfig {
  const result = configSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!result.success) throw new ConfigError(file, problemsFromZod(result.error));
  return { file, config: result.data, warnings: warningsFor(result.data) };
}

/** Reads, parses and validates a config file. @throws ConfigError */
export function loadConfig(file: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [{
      path: '(file)',
      message: code === 'ENOENT'
        ? `does not exist. Fix: create ${DEFAULT_CONFIG_FILE}, or pass --config PATH or set S3_CONNECTOR_CONFIG.`
        : `cannot be read (${code}). Fix: check the file's permissions.`,
    }]);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const problems: ConfigProblem[] = doc.errors.map((e) => ({
      path: `(line ${e.linePos?.[0]?.line ?? '?'})`,
      message: `${e.message.split('\n')[0]}. Fix: correct the YAML syntax there.`,
    }));
    throw new ConfigError(file, problems);
  }
  return parseConfig(doc.toJS(), file);
}

function warningsFor(config: ConnectorConfig): string[] {
  const warnings: string[] = [];
  for (const [name, source] of Object.entries(config.sources)) {
    const url = parseSourceUrl(source.url);
    if (!('problem' in url)) warnings.push(...url.warnings.map((w) => `sources.${name}.${w}`));
    const endpoint = parseEndpoint(source.endpoint);
    if (!('problem' in endpoint) && endpoint.regionInHost && source.region && endpoint.regionInHost !== source.region) {
      warnings.push(`sources.${name}.region: "${source.region}" contradicts the endpoint's region "${endpoint.regionInHost}"; requests may fail to sign. Fix: remove region or make it ${endpoint.regionInHost}.`);
    }
  }
  return warnings;
}
