/**
 * The worker's pino logger. Secrets never reach a log line: known secret fields are redacted,
 * and config values are never logged whole.
 */
import pino, { type Logger } from 'pino';

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
