import { Writable } from 'node:stream';
import { createLogger } from '../../worker/logger';

/** A logger whose lines are kept, parsed. */
function captured() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(JSON.parse(chunk.toString())); done(); } });
  return { logger: createLogger('info', destination), lines };
}

describe('the worker\'s log lines', () => {
  it('carry an error\'s type and message, whether it is logged under error or err, never an empty object', async () => {
    const { logger, lines } = captured();
    class ChecksumMismatch extends Error { override name = 'ChecksumMismatch'; }
    logger.error({ error: new ChecksumMismatch('the bytes read do not match') }, 'activity failed');
    logger.warn({ err: new Error('reset') }, 'retrying');
    await new Promise((ok) => setImmediate(ok));
    expect(lines[0]).toMatchObject({ msg: 'activity failed', error: { type: 'ChecksumMismatch', message: 'the bytes read do not match' } });
    expect(lines[1]).toMatchObject({ msg: 'retrying', err: { type: 'Error', message: 'reset' } });
  });

  it('redact secret fields wherever they appear', async () => {
    const { logger, lines } = captured();
    logger.info({ source: { secretAccessKey: 'abc', accessKeyId: 'AKIA' }, password: 'pw' }, 'config');
    await new Promise((ok) => setImmediate(ok));
    expect(JSON.stringify(lines[0])).not.toMatch(/abc|AKIA|"pw"/);
  });
});
