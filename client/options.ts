/** CLI options: the global ones added to every command (parsed with zod), and parsers of option values. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { LOG_LEVELS, type LogFormat } from '../worker/log-format';
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

/**
 * A commander parser of a duration: `90s`, `15m`, `2h`, `1h30m`, or a whole number of seconds.
 * Returns milliseconds.
 */
export function duration(value: string): number {
  const text = value.trim();
  const seconds = /^\d+$/.test(text) ? Number(text) : undefined;
  if (seconds !== undefined) return seconds * 1000;
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === '' || match.slice(1).every((part) => part === undefined)) {
    throw new InvalidArgumentError('must be a duration such as 90s, 15m, 2h or 1h30m (or a whole number of seconds).');
  }
  const [h, m, s] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number];
  return ((h * 60 + m) * 60 + s) * 1000;
}

/** The options of a command that starts a job run: --wait, --timeout, --allow-no-worker. */
export interface RunOptions {
  wait?: boolean;
  /** With --wait: stop waiting after this many milliseconds (the run goes on). */
  timeout?: number;
  /** Start the run even when no worker polls the task queue (it waits there for one). */
  allowNoWorker?: boolean;
}

/** Adds {@link RunOptions} to a command that starts job runs (`sync`, `export`). */
export function addRunOptions(command: Command): Command {
  return command
    .option('--wait', 'wait for the run to finish, with a live progress bar on stderr, then print a summary')
    .option('--timeout <duration>', 'with --wait: stop waiting after this long (90s, 15m, 2h); the run goes on, exit code 1', duration)
    .option('--allow-no-worker', 'start the run even when no worker polls the task queue (it waits there until one does), e.g. from a scheduler during a worker restart');
}

/** --log-level and --log-format, as commander names them. */
export interface CommandLogOptions {
  logLevel?: string;
  logFormat?: LogFormat;
}

/** Adds --log-level and --log-format to a command that logs (`worker`, `dev`). */
export function addLogOptions(command: Command): Command {
  return command
    .addOption(new Option('--log-level <level>', 'least severe records logged (default: $LOG_LEVEL, else info)').choices(LOG_LEVELS))
    .addOption(new Option('--log-format <format>', 'pretty: one readable line per record (default on a terminal); json: pino JSON lines (default otherwise)').choices(['json', 'pretty']));
}
