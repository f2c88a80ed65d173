import { PassThrough } from 'node:stream';
import { prettyDestination, prettyLogLine } from '../../worker/log-format';
import { createLogger } from '../../worker/logger';

/** What a logger of `level` writing pretty lines prints for `log`. */
async function prettyOutput(level: string, log: (logger: ReturnType<typeof createLogger>) => void): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  const destination = prettyDestination(out);
  log(createLogger(level, destination));
  await new Promise<void>((ok) => destination.end(ok));
  return text;
}

describe('logs for a person at a terminal', () => {
  it('writes one line per record: time, level, message, then the fields', () => {
    const line = prettyLogLine(JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 2, 3, 4, 5, 678), service: 's3-connector', msg: 'worker started', taskQueue: 's3-connector', slots: 100, note: 'two words' }));
    expect(line).toBe('03:04:05.678 INFO  worker started taskQueue=s3-connector slots=100 note="two words"');
  });

  it("shows an error's type and message, and passes a line that is not JSON through unchanged", () => {
    expect(prettyLogLine(JSON.stringify({ level: 50, time: 0, msg: 'activity failed', err: { type: 'S3OperationError', message: 'bucket gone', stack: 'S3OperationError: bucket gone\n    at x' } })))
      .toBe('00:00:00.000 ERROR activity failed error="S3OperationError: bucket gone"');
    expect(prettyLogLine('plain text')).toBe('plain text');
  });

  it('keeps redacting secrets, and leaves out records below the chosen level', async () => {
    const text = await prettyOutput('warn', (logger) => {
      logger.info('not shown');
      logger.warn({ source: { secretAccessKey: 'hunter2-secret' } }, 'credentials refreshed');
    });
    expect(text).not.toContain('not shown');
    expect(text).toContain('WARN  credentials refreshed source={"secretAccessKey":"[redacted]"}');
    expect(text).not.toContain('hunter2-secret');
  });
});
