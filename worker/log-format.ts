/**
 * Log lines for a person at a terminal: `12:04:05.123 INFO  worker started taskQueue=s3-connector`,
 * made from pino's JSON records after redaction (so a secret is censored in both formats).
 * Scripts and log collectors get the JSON lines unchanged.
 */
import { Writable } from 'node:stream';

/** The levels `--log-level` takes (pino's). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Log formats: pino's JSON lines, or one readable line per record. */
export type LogFormat = 'json' | 'pretty';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every record has, shown in the line's head or not at all. */
const HEAD_FIELDS = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/** One pino JSON record as a readable line (a line that is not JSON is returned as it is). */
export function prettyLogLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 23) : '';
  const level = (LEVELS[record.level as number] ?? String(record.level)).padEnd(5);
  const err = (record.err ?? record.error) as { type?: string; message?: string; stack?: string } | undefined;
  const fields = Object.entries(record)
    .filter(([key]) => !HEAD_FIELDS.has(key) && key !== 'err' && key !== 'error')
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  const error = err && typeof err === 'object' ? ` error=${fieldText(`${err.type ?? 'Error'}: ${err.message ?? ''}`)}` : '';
  return `${time} ${level} ${String(record.msg ?? '')}${fields.length > 0 ? ` ${fields.join(' ')}` : ''}${error}`;
}

/** A destination stream for pino that writes {@link prettyLogLine}s to `out` (stderr by default). */
export function prettyDestination(out: NodeJS.WritableStream = process.stderr): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      if (lines.length > 0) out.write(`${lines.map(prettyLogLine).join('\n')}\n`);
      done();
    },
    final(done) {
      if (pending !== '') out.write(`${prettyLogLine(pending)}\n`);
      done();
    },
  });
}
