/**
 * Config problems: each names the field's path, what is wrong and the fix. All are
 * collected and reported together.
 */
import type { z } from 'zod';

/** One problem with one field of the config file. */
export interface ConfigProblem {
  /** Dotted path of the field, e.g. `sources.landing.url`. */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
}

/** Thrown by loadConfig when the file is missing, unparsable or invalid. Carries every problem found. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly file: string, readonly problems: ConfigProblem[]) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`);
  }
}

/** Joins a zod path into `a.b[0].c`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, part) =>
    typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part), '') || '(top level)';
}

/** zod's names of expected types, in the words a YAML file uses. */
const TYPE_WORDS: Record<string, string> = { int: 'whole number', record: 'map', object: 'map', array: 'list' };
const typeWord = (expected: string) => TYPE_WORDS[expected] ?? expected;

/**
 * Secret fields, and the blocks that hold them: an error about a field on such a path names the
 * kind of value written, never the value (a numeric secret, or a whole credentials block written
 * as one string, would otherwise be printed). A source with one of these names loses only detail.
 */
const SECRET_FIELDS: ReadonlySet<PropertyKey> = new Set(['accessKeyId', 'secretAccessKey', 'sessionToken', 'externalId', 'password']);
const SECRET_BLOCKS: ReadonlySet<PropertyKey> = new Set(['credentials', 'stsRole', 'proxy']);

/** True when the field at `path` is a secret or lies in a block that holds secrets. */
export function isSecretPath(path: ReadonlyArray<PropertyKey>): boolean {
  return path.some((part) => SECRET_FIELDS.has(part) || SECRET_BLOCKS.has(part));
}

function describe(value: unknown, secret: boolean): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return secret ? `a ${typeof value} (not shown: the field holds a secret)` : `${typeof value} ${JSON.stringify(value)}`;
}

/** Turns zod issues into problems with plain-language messages. */
export function problemsFromZod(error: z.ZodError): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    const path = formatPath(issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          problems.push({ path: formatPath([...issue.path, key]), message: 'is not a known field. Fix: check its spelling against docs/config.md, or remove it.' });
        }
        break;
      case 'invalid_type': {
        const input = (issue as { input?: unknown }).input;
        const custom = issue.message && !issue.message.startsWith('Invalid input') ? issue.message : undefined;
        const expected = typeWord(issue.expected);
        problems.push({
          path,
          message: input === undefined
            ? (custom?.startsWith('is required') ? custom : `is required. ${custom ?? `Fix: add a ${expected}.`}`)
            : `expected ${expected}, got ${describe(input, isSecretPath(issue.path))}. ${custom ?? `Fix: write a ${expected}.`}`,
        });
        break;
      }
      case 'invalid_key':
        problems.push({ path, message: `is not a usable name: ${issue.issues.map((i) => i.message).join(' ')}` });
        break;
      default:
        problems.push({ path, message: issue.message });
    }
  }
  return problems;
}
