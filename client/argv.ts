/**
 * The command line as commander reads it: global options (`--config`, `--json`, the Temporal
 * flags) may stand before the command's name, as rclone, aws-cli and the Temporal CLI allow,
 * and are moved after it, where every command declares them. Pure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Global options that take a value, and those that do not. */
const WITH_VALUE = new Set(['--config', '--address', '--namespace', '--task-queue']);
const FLAGS = new Set(['--json']);

/**
 * `argv` (node, script, ...args) with the global options before the command moved right after
 * it. Anything else before the command (`--help`, `--version`, an unknown option) stops the move.
 */
export function commandFirst(argv: readonly string[]): string[] {
  const [node = 'node', script = 's3-connector', ...args] = argv;
  const moved: string[] = [];
  let i = 0;
  while (i < args.length) {
    const arg = args[i]!;
    const name = arg.split('=')[0]!;
    if (FLAGS.has(arg)) {
      moved.push(arg);
      i += 1;
    } else if (WITH_VALUE.has(name) && arg.includes('=')) {
      moved.push(arg);
      i += 1;
    } else if (WITH_VALUE.has(arg) && i + 1 < args.length) {
      moved.push(arg, args[i + 1]!);
      i += 2;
    } else {
      break;
    }
  }
  const rest = args.slice(i);
  if (moved.length === 0 || rest.length === 0 || rest[0]!.startsWith('-')) return [...argv];
  return [node, script, rest[0]!, ...moved, ...rest.slice(1)];
}

/** This package's version, from the package.json above this file (source or dist/). */
export function packageVersion(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 's3-connector' && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
