import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { main } from '../../client/cli';
import { formatCheck } from '../../client/commands/check';
import { formatPreview } from '../../client/commands/preview';
import { formatStatus, type RunStatus } from '../../client/commands/status';
import { reportError } from '../../client/errors';
import { printable } from '../../client/printable';
import { ConfigError } from '../../config/errors';
import { commitFixture } from '../harness/dataset-fixture';

/** A key that would clear the screen, fake a line and reverse the rest, printed as is. */
const HOSTILE = 'in/\u001b[2Jcleared\r\nfake line\u202eevil\u0007.csv';
const SHOWN = 'in/\\x1b[2Jcleared\\r\\nfake line\\u202eevil\\x07.csv';
/** Nothing a terminal acts on: C0, DEL, C1, line separators, bidi controls. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('printable', () => {
  it('escapes control characters so text shows on one line, as it is', () => {
    expect(printable(HOSTILE)).toBe(SHOWN);
    expect(printable('\u0000\t\u007f\u0085\u009b\u2028\u2029\u2066\u061c\u200f')).toBe('\\x00\\t\\x7f\\x85\\x9b\\u2028\\u2029\\u2066\\u061c\\u200f');
  });

  it('leaves every other character alone, backslashes and unicode included', () => {
    const plain = 'orders/2026/ünïcode 日本 name\\with backslash%20+#?&<>"\'.csv 😀';
    expect(printable(plain)).toBe(plain);
  });
});

describe('text output escapes control characters in keys and what quotes them', () => {
  it('in preview: the key, metadata, column names and cells', () => {
    const table = formatPreview({ key: HOSTILE, size: 3, format: 'csv', mediaType: 'text/csv', columns: ['a\u001b[1m', 'b'], rows: [['x\ny', null]], bytesRead: 3 });
    expect(table.split('\n')).toEqual([`${SHOWN}: text/csv, 3 bytes`, 'a\\x1b[1m  b', '--------  -', 'x\\ny       ']);
    const media = formatPreview({ key: HOSTILE, size: 3, format: 'other', mediaType: 'image/png', metadata: { 'tag\u001b': 'v\r' }, problem: 'bad\u0007', bytesRead: 3 });
    expect(media.replace(/\n/g, '')).not.toMatch(CONTROL);
    expect(media.split('\n')).toEqual([`${SHOWN}: image/png, 3 bytes`, `  ${'tag\\x1b'.padEnd(16)}  v\\r`, `  ${'problem'.padEnd(16)}  bad\\x07`]);
  });

  it('in check results and run status', () => {
    const check = formatCheck({ source: 's', bucket: 'b', prefix: 'p/', viaProxy: false, probes: [{ permission: 's3:GetObject', status: 'error', detail: `GetObject s3://b/${HOSTILE}: SlowDown` }] });
    expect(check[1]).toContain(`s3://b/${SHOWN}`);
    const status: RunStatus = { workflowId: 'w', runId: 'r', workflowType: 'bulkImport', status: 'FAILED', taskQueue: 'q', job: 'j', source: 's', dataset: 'd',
      startTime: 't', closeTime: 't', progress: null, retrying: [], result: null, failure: `GetObject s3://b/${HOSTILE}: gone` };
    expect(formatStatus(status).at(-1)).toBe(`  failure   GetObject s3://b/${SHOWN}: gone`);
  });

  it('in error messages, one line per problem', () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (writes.push(String(chunk)), true));
    try {
      reportError(new ConfigError('f.yaml', [{ path: 'sources.a\u001b[31m', message: 'is not a known field.' }]), false);
    } finally {
      spy.mockRestore();
    }
    expect(writes.join('')).toBe('error: invalid config f.yaml:\n  - sources.a\\x1b[31m: is not a known field.\n');
  });
});

describe('the datasets files command', () => {
  let root: string;
  let configFile: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 's3c-printable-'));
    await commitFixture(join(root, 'store'), 'ds', [{ path: HOSTILE, body: 'a,b\n' }, { path: 'plain.csv', body: 'x' }]);
    configFile = join(root, 's3-connector.yaml');
    writeFileSync(configFile, stringify({ datasetStore: join(root, 'store') }));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Runs the CLI in this process and returns its exit code and stdout. */
  async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
    const out: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      return { code: await main(['node', 's3-connector', ...args]), stdout: out.join('') };
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  }

  it('prints a hostile key escaped on one line as text, and exactly with --json', async () => {
    const text = await cli(['datasets', 'files', 'ds', '--config', configFile]);
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.includes('cleared'))).toMatch(new RegExp(`  ${SHOWN.replace(/[\\[\]().*+?^$|{}]/g, '\\$&')}$`));
    expect(text.stdout.replace(/\n/g, '')).not.toMatch(CONTROL);
    const json = await cli(['datasets', 'files', 'ds', '--json', '--config', configFile]);
    expect(json.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { path: string }).path).sort()).toEqual([HOSTILE, 'plain.csv'].sort());
  });
});
