/**
 * `init`, `config validate` and `config schema`: a starter config, validation alone (every
 * problem at once, no Temporal, no S3, no secret resolved), and the config's JSON Schema for
 * editors, generated from the zod schema that validates it.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { configPath, DEFAULT_CONFIG_FILE } from '../../config/load';
import { configSchema } from '../../config/schema';
import { STARTER_CONFIG } from '../../config/starter';
import { loadConfigFor, UsageError, type GlobalOptions } from '../context';
import { addGlobalOptions, parseOptions } from '../options';
import { printable } from '../printable';

/** What `config validate` found. */
export interface ConfigSummary {
  file: string;
  sources: number;
  syncs: number;
  exports: number;
  virtualTables: number;
  tableSyncs: number;
  warnings: string[];
}

/** Validates the config of `options` (throws ConfigError listing every problem) and counts what it defines. */
export function validateConfig(options: GlobalOptions): ConfigSummary {
  const { file, config, warnings } = loadConfigFor(options);
  const count = (o: object | undefined) => Object.keys(o ?? {}).length;
  return { file, sources: count(config.sources), syncs: count(config.syncs), exports: count(config.exports), virtualTables: count(config.virtualTables), tableSyncs: count(config.tableSyncs), warnings };
}

/** The JSON Schema (draft 2020-12) of the config file as written (before defaults apply). */
export function configJsonSchema(): object {
  // io 'input': the file's shape, where fields with defaults are optional; refinements across
  // fields (a sync naming a defined source) cannot be expressed and stay `config validate`'s job.
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }),
    title: 's3-connector config',
    description: `The s3-connector configuration file (${DEFAULT_CONFIG_FILE}). Cross-field rules are checked by \`s3-connector config validate\`.`,
  };
}

/**
 * Writes the starter config to `file`, never over an existing file (the open fails with EEXIST),
 * so a user's config is never lost to a second `init`.
 */
export function writeStarterConfig(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UsageError(`init: ${file} already exists; it was left as it is. Fix: remove it first, or write the starter elsewhere with --config PATH.`);
    }
    throw err;
  }
  try {
    writeSync(fd, STARTER_CONFIG);
  } finally {
    closeSync(fd);
  }
}

function init(raw: unknown): void {
  const options = parseOptions<GlobalOptions>(raw);
  const file = configPath(options.config);
  writeStarterConfig(file);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ type: 'init', file })}\n`);
    return;
  }
  process.stdout.write(`wrote ${printable(file)}: one source (a local MinIO), a dataset store folder and one sync.\n`
    + 'Next: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY for the worker, edit the file, then run `s3-connector config validate`.\n');
}

function validate(raw: unknown): void {
  const options = parseOptions<GlobalOptions>(raw);
  const summary = validateConfig(options);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ type: 'config', valid: true, ...summary })}\n`);
    return;
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  process.stdout.write(`ok: ${printable(summary.file)} is valid: ${plural(summary.sources, 'source')}, ${plural(summary.syncs, 'sync')}, `
    + `${plural(summary.exports, 'export')}, ${plural(summary.virtualTables, 'virtual table')}, ${plural(summary.tableSyncs, 'table sync')}${summary.warnings.length > 0 ? `, ${plural(summary.warnings.length, 'warning')} (above)` : ''}\n`);
}

function schema(): void {
  process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
}

/** Registers `init`. */
export function registerInit(program: Command): void {
  addGlobalOptions(program.command('init').description(`write a commented starter config (${DEFAULT_CONFIG_FILE}, or --config PATH); never overwrites`)).exitOverride().action(init);
}

/** Registers `config validate | schema`. */
export function registerConfig(program: Command): void {
  const group = program.command('config').description('the config file: validate it, or print its JSON Schema');
  addGlobalOptions(group.command('validate').description('check the config file (every problem at once, with its fix); no server or bucket is contacted')).exitOverride().action(validate);
  addGlobalOptions(group.command('schema').description('print the config\'s JSON Schema, for editors (e.g. yaml-language-server)')).exitOverride().action(schema);
}
