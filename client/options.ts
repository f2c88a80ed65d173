/** CLI options: the global ones added to every command (parsed with zod), and parsers of option values. */
import { InvalidArgumentError, type Command } from 'commander';
import { globalOptionsSchema, type GlobalOptions } from './context';

/** Adds --config, --json, --address, --namespace and --task-queue to `command`. */
export function addGlobalOptions(command: Command): Command {
  return command
    .option('--config <path>', 'config file (default: $S3_CONNECTOR_CONFIG or ./s3-connector.yaml)')
    .option('--json', 'machine-readable JSON lines on stdout')
    .option('--address <host:port>', 'Temporal frontend address (env TEMPORAL_ADDRESS, default localhost:7233)')
    .option('--namespace <name>', 'Temporal namespace (env TEMPORAL_NAMESPACE, default "default")')
    .option('--task-queue <name>', 'Temporal task queue (default s3-connector)');
}

/** Validates commander's raw options: the global ones through zod, the rest passed along. */
export function parseOptions<T extends GlobalOptions>(raw: unknown): T {
  const record = (raw ?? {}) as Record<string, unknown>;
  return { ...record, ...globalOptionsSchema.parse(record) } as T;
}

/**
 * A commander parser of a whole-number option from `min` to `max` (inclusive); `why` follows the
 * range in the error, e.g. "the ListObjectsV2 maximum".
 */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER, why?: string): (value: string) => number {
  const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be a whole number ${range}${why ? ` (${why})` : ''}.`);
    return n;
  };
}
