/**
 * `tables read` on a worker (the default) and in the CLI (--direct), against the real Temporal
 * server and MinIO: deltalake's CDF table (longs beyond 2^53, decimal(20,4), microsecond UTC
 * timestamps) read through S3 as JSON lines, CSV and Parquet. The worker writes the output into
 * the dataset store (on MinIO) below _reads/, the CLI copies it out and removes it: both ways
 * give the same bytes, pyarrow reads the Parquet with the exact types and values, and the store
 * keeps nothing of a read, whether it succeeded or failed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { runCliBytes } from '../harness/cli-bytes';
import { startFaultProxy } from '../harness/fault-proxy';
import { startCli } from '../harness/spawn-cli';
import { filesOf, goldenTable } from '../harness/delta-fixtures';
import { adminS3, createBucket, putObjects } from '../harness/minio-admin';
import { testEnv } from '../harness/test-env';

const root = resolve(__dirname, '..', '..');
const python = join(root, '.tools', 'venv', 'bin', 'python');

/** pyarrow's reading of a Parquet file: its Arrow types and its rows as exact JSON lines (scripts/fixtures/parquet_exact_rows.py). */
function pyarrowRead(file: string): { schema: Record<string, string>; lines: string[] } {
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
  const [head, ...lines] = execFileSync(python, [join(root, 'scripts', 'fixtures', 'parquet_exact_rows.py'), file], { encoding: 'utf8' }).trimEnd().split('\n');
  return { schema: (JSON.parse(head!) as { schema: Record<string, string> }).schema, lines };
}

const linesCount = (text: string) => text.split('\n').filter((l) => l !== '').length;

describe('tables read on a worker, through the dataset store', () => {
  let bucket: string;
  let storeBucket: string;
  let raw: Record<string, unknown>;
  let file: string;
  let dir: string;
  const flags = (taskQueue: string) => ['--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue];

  /** Every object and unfinished multipart upload in the dataset store's bucket below _reads/. */
  async function leftovers(): Promise<string[]> {
    const s3 = adminS3();
    const objects = await s3.send(new ListObjectsV2Command({ Bucket: storeBucket, Prefix: '_reads/' }));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: storeBucket, Prefix: '_reads/' }));
    return [...(objects.Contents ?? []).map((o) => o.Key!), ...(uploads.Uploads ?? []).map((u) => `upload ${u.Key!}`)];
  }

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('tables-read');
    storeBucket = await createBucket('tables-store');
    const cdf = resolve(__dirname, '..', 'fixtures', 'deltalake-cdf', 'table');
    const basic = goldenTable('basic_partitioned');
    // basic_partitioned without the data files its second commit added: the read fails midway.
    const commit1 = readFileSync(join(basic, '_delta_log', '00000000000000000001.json'), 'utf8');
    const broken = filesOf(basic, 'lake/broken/').filter((f) => !f.key.endsWith('.parquet') || !commit1.includes(f.key.slice('lake/broken/'.length)));
    await putObjects(bucket, [...filesOf(cdf, 'lake/cdf/'), ...broken]);
    raw = {
      datasetStore: 'store',
      sources: { src: minioSource(bucket), store: minioSource(storeBucket) },
      virtualTables: {
        cdf: { source: 'src', format: 'delta', location: 'lake/cdf/' },
        broken: { source: 'src', format: 'delta', location: 'lake/broken/' },
      },
    };
    file = writeConfigFile(raw);
    dir = mkdtempSync(join(tmpdir(), 'tables-read-worker-'));
  });

  it('writes the same bytes on a worker as in the CLI, for JSON lines, CSV and Parquet, and leaves nothing in the store', async () => {
    const cases = [
      { format: 'jsonl', args: [] }, { format: 'csv', args: ['--columns', 'big,amount,ts,id'] }, { format: 'parquet', args: [] },
      { format: 'parquet', args: ['--since', '1', '--until', '3'] }, { format: 'parquet', args: ['--limit', '0'] },
    ];
    await withWorker(config(raw), async (q) => {
      for (const [i, { format, args }] of cases.entries()) {
        const onWorker = join(dir, `worker-${i}.${format}`);
        const direct = join(dir, `direct-${i}.${format}`);
        const worker = await runCli(['tables', 'read', 'cdf', '--format', format, ...args, '--out', onWorker, ...flags(q)]);
        expect(worker.stderr).toMatch(new RegExp(`^\\d+ rows? of table cdf.* written to ${onWorker} \\(read on a worker\\)\\n$`));
        expect(worker.code).toBe(0);
        const inProcess = await runCli(['tables', 'read', 'cdf', '--direct', '--format', format, ...args, '--out', direct, '--config', file]);
        expect(inProcess.code).toBe(0);
        expect(readFileSync(onWorker).equals(readFileSync(direct))).toBe(true);
        expect(readFileSync(onWorker).length).toBeGreaterThan(0);
        expect(await leftovers()).toEqual([]);
      }
    });
  });

  it('writes Parquet that pyarrow reads with exact types and the same rows as the JSON lines, to --out and to a pipe', async () => {
    // The latest snapshot, and every change since version 0 (with the feed's own columns).
    const [jsonl, piped, changes, changesParquet] = await withWorker(config(raw), async (q) => [
      await runCli(['tables', 'read', 'cdf', ...flags(q)]),
      await runCliBytes(['tables', 'read', 'cdf', '--format', 'parquet', ...flags(q)]),
      await runCli(['tables', 'read', 'cdf', '--since', '0', ...flags(q)]),
      await runCliBytes(['tables', 'read', 'cdf', '--since', '0', '--format', 'parquet', ...flags(q)]),
    ]);
    for (const r of [jsonl, piped, changes, changesParquet]) expect(r.code).toBe(0);
    expect(piped.stdout.subarray(0, 4).toString()).toBe('PAR1');
    const columns = { id: 'int64', name: 'string', amount: 'decimal128(20, 4)', ts: 'timestamp[us, tz=UTC]', big: 'int64', part: 'string' };
    for (const [text, bytes, schema] of [
      [jsonl.stdout, piped.stdout, columns],
      [changes.stdout, changesParquet.stdout, { ...columns, _change_type: 'string not null', _commit_version: 'int64 not null', _commit_timestamp: 'timestamp[us, tz=UTC] not null' }],
    ] as const) {
      const out = join(dir, `piped-${Object.keys(schema).length}.parquet`);
      writeFileSync(out, bytes);
      const read = pyarrowRead(out);
      expect(read.schema).toEqual(schema);
      const expected = text.split('\n').filter((l) => l !== '');
      expect(expected.length).toBeGreaterThanOrEqual(3);
      expect(read.lines).toEqual(expected);
      expect(read.lines.join('\n')).toMatch(/"big":90071992547\d{5}/); // beyond 2^53, all digits
    }
    expect(linesCount(changes.stdout)).toBe(33);
    expect(await leftovers()).toEqual([]);
  });

  it('leaves nothing in the store or at --out when the read fails on the worker, midway or at once', async () => {
    const out = join(dir, 'failed.parquet');
    const [midway, unknown] = await withWorker(config({ ...raw, sources: { ...(raw.sources as object), src: { ...minioSource(bucket), maxErrorRetries: 0 } } }), async (q) => [
      await runCli(['tables', 'read', 'broken', '--format', 'parquet', '--out', out, ...flags(q)]),
      await runCli(['tables', 'read', 'cdf', '--columns', 'nope', '--out', out, ...flags(q)]),
    ]);
    expect(midway.code).toBe(1);
    expect(midway.stderr).toMatch(/letter=.*\.parquet/);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no column "nope"');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.startsWith('failed'))).toEqual([]);
    expect(await leftovers()).toEqual([]);
  });

  it('cancels the read on the worker when the CLI is interrupted (Ctrl-C) while a data file\'s request hangs, leaving nothing behind', async () => {
    // Every data file's GET is held, so the activity is mid-read when the cancellation reaches it.
    const proxy = await startFaultProxy(testEnv().minio.endpoint, { faults: { get: { stall: { rate: 1, when: (r) => r.key.endsWith('.parquet') } } } });
    try {
      const slowRaw = {
        ...raw,
        sources: { ...(raw.sources as object), slow: minioSource(bucket, { endpoint: proxy.endpoint }) },
        virtualTables: { ...(raw.virtualTables as object), slow: { source: 'slow', format: 'delta', location: 'lake/cdf/' } },
      };
      const slowFile = writeConfigFile(slowRaw);
      const out = join(dir, 'interrupted.jsonl');
      const code = await withWorker(config(slowRaw), async (q) => {
        const cli = startCli(['tables', 'read', 'slow', '--out', out, '--config', slowFile, '--address', testEnv().temporalAddress, '--task-queue', q]);
        for (let i = 0; !proxy.requests.some((r) => r.faults.includes('stall')); i++) {
          if (i > 600) throw new Error(`no data file was requested: ${cli.output().stderr}`);
          await new Promise((ok) => setTimeout(ok, 100));
        }
        const exit = await cli.stop('SIGINT');
        expect(cli.output().stderr).toContain('tables read slow interrupted: the read on the worker (workflow readTable/slow/');
        return exit;
      });
      expect(code).toBe(1);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).filter((n) => n.startsWith('interrupted'))).toEqual([]);
      expect(await leftovers()).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('fails naming the fix when the worker writes to a dataset store this process does not reach', async () => {
    const workerStore = mkdtempSync(join(tmpdir(), 'worker-store-'));
    const cliFile = writeConfigFile({ ...raw, datasetStore: mkdtempSync(join(tmpdir(), 'cli-store-')) });
    const result = await withWorker(config({ ...raw, datasetStore: workerStore }), (q) => runCli(['tables', 'read', 'cdf', '--config', cliFile, '--address', testEnv().temporalAddress, '--task-queue', q]));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('which is not in this process\'s dataset store');
    expect(result.stderr).toContain('tables read --direct');
    expect(result.stdout).toBe('');
  });

  it('stops at once without a worker, saying so and how to read in this process instead', async () => {
    const result = await runCli(['tables', 'read', 'cdf', ...flags(`nobody-${Date.now()}`)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no worker polls task queue');
    expect(result.stderr).toContain('tables read --direct');
    expect(result.stdout).toBe('');
  });
});
