/**
 * `preview SOURCE KEY` on Avro object container files written by fastavro (snappy and
 * zstandard), in MinIO: the rows shown are the rows fastavro reads (scripts/fixtures/
 * avro_preview.py renders them as the preview shows them: longs beyond 2^53, decimals and
 * timestamps exact), and a large file is read only at its head.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jsonLines, ownStderr } from '../harness/cli-output';
import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { createBucket, putObjects } from '../harness/minio-admin';
import { testEnv } from '../harness/test-env';

const env = rootKeyEnv();
const root = resolve(__dirname, '..', '..');
const python = join(root, '.tools', 'venv', 'bin', 'python');
const script = (name: string) => join(root, 'scripts', 'fixtures', name);

/** Runs a fixture script with the tools' Python; fails (never skips) when it is missing. */
function py(args: string[]): string {
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
  return execFileSync(python, args, { encoding: 'utf8' });
}

/** The first `n` rows of `file` as fastavro reads them, in the preview's cell forms. */
const oracle = (file: string, n: number) => JSON.parse(py([script('avro_preview.py'), 'read', file, String(n)])) as { columns: string[]; rows: unknown[][] };

interface PreviewLine {
  type: string;
  key: string;
  size: number;
  format: string;
  mediaType: string;
  columns: string[];
  rows: unknown[][];
  bytesRead: number;
}

describe('preview of Avro files', () => {
  let dir: string;
  let file: string;
  let raw: object;
  const local: Record<string, string> = {};

  beforeAll(async () => {
    Object.assign(process.env, env);
    const bucket = await createBucket('preview-avro');
    dir = mkdtempSync(join(tmpdir(), 's3c-avro-preview-'));
    py([script('make_avro_tables.py'), dir]);
    local['small-snappy.avro'] = join(dir, 'codecs', 'part-snappy.avro');
    local['small-zstd.avro'] = join(dir, 'codecs', 'part-zstandard.avro');
    for (const codec of ['snappy', 'zstandard']) {
      local[`big-${codec}.avro`] = join(dir, `big-${codec}.avro`);
      py([script('avro_preview.py'), 'write', local[`big-${codec}.avro`]!, codec, '20000']);
    }
    await putObjects(bucket, [
      ...Object.entries(local).map(([key, path]) => ({ key: `files/${key}`, body: readFileSync(path) })),
      // An Avro file whose name does not say so: known by its magic bytes.
      { key: 'files/export.bin', body: readFileSync(local['small-snappy.avro']!) },
    ]);
    raw = { sources: { pv: minioSource(bucket, { url: `s3://${bucket}/files/` }) } };
    file = writeConfigFile(raw);
  }, 180_000);

  const preview = async (key: string, ...extra: string[]): Promise<PreviewLine> => {
    const result = await runCli(['preview', 'pv', key, '--json', '--config', file, ...extra], env);
    expect(ownStderr(result.stderr)).toBe('');
    expect(result.code).toBe(0);
    const lines = jsonLines<PreviewLine>(result.stdout);
    expect(lines).toHaveLength(1);
    return lines[0]!;
  };

  it.each(['small-snappy.avro', 'small-zstd.avro'])('shows the first 10 rows of %s exactly as fastavro reads them', async (key) => {
    const p = await preview(key, '--direct');
    const expected = oracle(local[key]!, 10);
    expect(p).toMatchObject({ key, format: 'avro', mediaType: 'application/avro', size: statSync(local[key]!).size });
    expect(p.columns).toEqual(expected.columns);
    expect(p.rows).toEqual(expected.rows);
    expect(BigInt(p.rows[1]![0] as string)).toBeGreaterThan(2n ** 62n); // a long beyond 2^53, every digit
  });

  it('shows rows across many blocks: all 40 rows of a file of 300-byte blocks', async () => {
    const p = await preview('small-zstd.avro', '--direct', '--rows', '100');
    expect(p.rows).toHaveLength(40);
    expect(p.rows).toEqual(oracle(local['small-zstd.avro']!, 100).rows);
  });

  it.each(['big-snappy.avro', 'big-zstandard.avro'])('reads only the head of %s, one 64 KiB range', async (key) => {
    const p = await preview(key, '--direct', '--rows', '5');
    expect(p.rows).toEqual(oracle(local[key]!, 5).rows);
    expect(p.size).toBeGreaterThan(500_000);
    expect(p.bytesRead).toBe(64 * 1024);
  });

  it('knows an Avro file by its magic bytes when its name does not say so', async () => {
    const p = await preview('export.bin', '--direct', '--rows', '3');
    expect(p).toMatchObject({ format: 'avro', mediaType: 'application/avro' });
    expect(p.rows).toEqual(oracle(local['small-snappy.avro']!, 3).rows);
  });

  it('shows Avro rows through a worker too, and as a table for humans', async () => {
    const flags = (q: string) => ['--config', file, '--address', testEnv().temporalAddress, '--task-queue', q];
    const [json, human] = await withWorker(config(raw), async (q) => [
      await runCli(['preview', 'pv', 'small-snappy.avro', '--rows', '2', '--json', ...flags(q)], env),
      await runCli(['preview', 'pv', 'small-snappy.avro', '--rows', '2', ...flags(q)], env),
    ]);
    expect(json.code).toBe(0);
    expect(jsonLines<PreviewLine>(json.stdout)[0]!.rows).toEqual(oracle(local['small-snappy.avro']!, 2).rows);
    expect(human.code).toBe(0);
    const lines = human.stdout.split('\n');
    expect(lines[0]).toMatch(/^small-snappy\.avro: application\/avro, \d+ bytes$/);
    expect(lines[1]).toMatch(/^id\s+price\s+amount\s+d\s+/);
    expect(lines[3]).toContain(String(2n ** 62n + 2000n)); // file k = 2 of make_avro_tables.py, row 0
  });
});
