/**
 * The worker's pino logger. Secrets never reach a log line: known secret fields are redacted,
 * and config values are never logged whole.
 */
import pino, { type Logger } from 'pino';
import { prettyDestination, type LogFormat } from './log-format';

/** How a command's logs are written. */
export interface LogOptions {
  /** Default: LOG_LEVEL, else info. */
  level?: string;
  /** Default: pretty on a terminal, JSON lines otherwise. */
  format?: LogFormat;
}

/** The logger of a command (`worker`, `dev`) for `options`, on stderr. */
export function commandLogger(options: LogOptions = {}): Logger {
  const format = options.format ?? (process.stderr.isTTY ? 'pretty' : 'json');
  return createLogger(options.level ?? process.env.LOG_LEVEL ?? 'info', format === 'pretty' ? prettyDestination() : pino.destination(2));
}

/** Field paths censored in every log record. */
export const REDACTED_PATHS = [
  '*.secretAccessKey', '*.accessKeyId', '*.sessionToken', '*.password', '*.externalId', '*.authorization',
  '*.headers.authorization', '*.credentials', 'credentials', 'secretAccessKey', 'password',
];

/** Creates a logger writing JSON lines to `destination` (stderr by default). */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino({
    level, base: { service: 's3-connector' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // The Temporal SDK logs a failed activity's error under `error`: without a serializer an
    // Error has no enumerable fields and would be logged as {}.
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  }, destination);
}
