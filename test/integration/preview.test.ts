import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonLines, ownStderr } from '../harness/cli-output';
import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { putEmptyObjects } from '../harness/explore-fixtures';
import { createBucket, putObjects } from '../harness/minio-admin';
import { makeParquet, parquetRow, PARQUET_COLUMNS, pdfBytes, pngBytes, type ParquetFixture } from '../harness/preview-fixtures';
import { testEnv } from '../harness/test-env';

const env = rootKeyEnv();

const csvRows = Array.from({ length: 25 }, (_, i) => [String(i), `"Smith, ${i}"`, `café ${i}`]);
const csv = `id,name,city\n${csvRows.map((r) => r.join(',')).join('\n')}\n`;
const events = Array.from({ length: 15 }, (_, i) => (i === 1 ? { n: i, kind: 'click', extra: true } : { n: i, kind: i % 2 ? 'click' : 'view' }));
const jsonl = `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;
/** 4099 ASCII bytes then é: the 4100-byte detection head ends inside a two-byte character. */
const cutText = `${'a'.repeat(4099)}é and more text\n`;

/** The single JSON line `preview --json` prints. */
interface PreviewLine {
  type: string;
  key: string;
  size: number;
  format: string;
  mediaType: string;
  columns?: string[];
  rows?: unknown[][];
  totalRows?: number;
  bytesRead: number;
}

describe('preview', () => {
  let bucket: string;
  let raw: { sources: Record<string, Record<string, unknown>> };
  let file: string;
  let parquet: ParquetFixture;

  beforeAll(async () => {
    Object.assign(process.env, env); // the in-test worker resolves ${env:...} from this process
    bucket = await createBucket('preview');
    parquet = makeParquet(join(mkdtempSync(join(tmpdir(), 's3c-parquet-')), 'data.parquet'));
    await putEmptyObjects(bucket, ['files/empty.dat']);
    await putObjects(bucket, [
      { key: 'files/orders.csv', body: csv },
      { key: 'files/events.jsonl', body: jsonl },
      { key: 'files/data.parquet', body: readFileSync(parquet.path) },
      { key: 'files/image.png', body: pngBytes() },
      { key: 'files/doc.pdf', body: pdfBytes() },
      { key: 'files/notes.txt', body: 'plain notes\nline two\n' },
      { key: 'files/cut.txt', body: cutText },
    ]);
    raw = { sources: { pv: minioSource(bucket, { url: `s3://${bucket}/files/` }) } };
    file = writeConfigFile(raw);
  }, 120_000);

  const preview = async (key: string, ...extra: string[]): Promise<PreviewLine> => {
    const result = await runCli(['preview', 'pv', key, '--json', '--direct', '--config', file, ...extra], env);
    expect(ownStderr(result.stderr)).toBe('');
    expect(result.code).toBe(0);
    const lines = jsonLines<PreviewLine>(result.stdout);
    expect(lines).toHaveLength(1);
    return lines[0]!;
  };

  it('shows the header as columns and the first 10 rows of a CSV file, quoted commas and unicode intact', async () => {
    const p = await preview('orders.csv');
    expect(p).toEqual({
      type: 'preview', key: 'orders.csv', size: Buffer.byteLength(csv), format: 'csv', mediaType: 'text/csv',
      columns: ['id', 'name', 'city'],
      rows: csvRows.slice(0, 10).map(([id, name, city]) => [id, name!.replace(/"/g, ''), city]),
      bytesRead: Buffer.byteLength(csv),
    });
    expect((await preview('orders.csv', '--rows', '3')).rows).toHaveLength(3);
  });

  it('prints a CSV preview as a table for humans without --json', async () => {
    const result = await runCli(['preview', 'pv', 'orders.csv', '--rows', '2', '--direct', '--config', file], env);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(0, 5)).toEqual([
      `orders.csv: text/csv, ${Buffer.byteLength(csv)} bytes`,
      'id  name      city  ', '--  --------  ------', '0   Smith, 0  café 0', '1   Smith, 1  café 1',
    ]);
  });

  it('shows the first rows of a JSON-lines file with the union of their keys as columns', async () => {
    const p = await preview('events.jsonl');
    expect(p.format).toBe('jsonl');
    expect(p.mediaType).toBe('application/x-ndjson');
    expect(p.columns).toEqual(['n', 'kind', 'extra']);
    // A key a row lacks is printed as null.
    expect(p.rows).toEqual(events.slice(0, 10).map((e) => [e.n, e.kind, 'extra' in e ? e.extra : null]));
  });

  it('previews a pyarrow-written Parquet file through a worker, reading only the footer and the first row group', async () => {
    expect(parquet).toMatchObject({ rows: 200_000, rowGroups: 10 });
    const result = await withWorker(config(raw), (taskQueue) => runCli(['preview', 'pv', 'data.parquet', '--json',
      '--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue], env));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const p = jsonLines<PreviewLine>(result.stdout)[0]!;
    expect(p).toEqual({
      type: 'preview', key: 'data.parquet', size: parquet.size, format: 'parquet', mediaType: 'application/vnd.apache.parquet',
      columns: PARQUET_COLUMNS, rows: Array.from({ length: 10 }, (_, i) => parquetRow(i)), totalRows: 200_000, bytesRead: expect.any(Number),
    });
    // One tail read (footer) plus the first row group's column chunks; nothing of the other nine.
    expect(p.bytesRead).toBeLessThanOrEqual(64 * 1024 + parquet.firstRowGroupBytes);
    expect(p.bytesRead).toBeLessThan(parquet.size * 0.4);
  });

  it('reads only the row groups holding the requested rows when asked for more rows', async () => {
    const p = await preview('data.parquet', '--rows', '100');
    expect(p.rows).toEqual(Array.from({ length: 100 }, (_, i) => parquetRow(i)));
    expect(p.bytesRead).toBeLessThanOrEqual(64 * 1024 + parquet.firstRowGroupBytes);
  });

  it('reports a media object\'s detected type with its metadata, or why its bytes cannot be described', async () => {
    expect(await preview('image.png')).toMatchObject({ key: 'image.png', format: 'other', mediaType: 'image/png', metadata: { width: 1, height: 1, format: 'png' } });
    // pdfBytes() is only the start of a PDF: detected from its header, and named damaged.
    expect(await preview('doc.pdf')).toMatchObject({ key: 'doc.pdf', format: 'other', mediaType: 'application/pdf', problem: expect.stringMatching(/^damaged: the PDF cannot be parsed/) });
  });

  it.each([
    ['notes.txt', 'text/plain'],
    ['cut.txt', 'text/plain'],
    ['empty.dat', 'application/x-empty'],
  ])('reports the detected media type of %s as %s from its first bytes', async (key, mediaType) => {
    const p = await preview(key);
    expect(p).toEqual({ type: 'preview', key, size: expect.any(Number), format: 'other', mediaType, bytesRead: Math.min(p.size, 4100) });
  });

  it('fails with exit code 1 and names the missing key and how to list keys, through a worker and directly', async () => {
    const viaWorker = await withWorker(config(raw), (taskQueue) => runCli(['preview', 'pv', 'nope/missing.csv',
      '--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue], env));
    const direct = await runCli(['preview', 'pv', 'nope/missing.csv', '--json', '--direct', '--config', file], env);
    const message = `error: no object s3://${bucket}/files/nope/missing.csv (key "nope/missing.csv" below the URL of source pv). `
      + 'Fix: check the key, which is relative to the source URL; list keys with: s3-connector explore pv --recursive\n';
    expect(viaWorker).toEqual({ code: 1, stdout: '', stderr: message });
    expect(direct.code).toBe(1);
    expect(ownStderr(direct.stderr)).toBe(message);
    expect(jsonLines(direct.stdout)).toEqual([{ type: 'error', message: message.trimEnd(), exitCode: 1 }]);
  });
});
