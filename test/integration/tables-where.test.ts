/**
 * `tables read --where` and `--explain` through the CLI on tables in MinIO written by the
 * reference writers (scripts/fixtures/make_pushdown_tables.py): a Delta table by deltalake,
 * partitioned with per-file statistics, and a hive-partitioned Parquet dataset by pyarrow with
 * several row groups per file. Every result is compared row for row with duckdb's result of the
 * same SQL predicate on the same table (scripts/fixtures/duckdb_where.py); the explain figures
 * and the bytes each read took from S3 are the real counts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { testEnv } from '../harness/test-env';
import { jsonLines } from '../harness/cli-output';
import { filesOf } from '../harness/delta-fixtures';
import { createBucket, putObjects } from '../harness/minio-admin';
import type { ReadExplain } from '../../tables/explain';
import { parseJsonLineExact } from '../../tables/serialize';

const root = resolve(__dirname, '..', '..');
const python = join(root, '.tools', 'venv', 'bin', 'python');
const cdfTable = join(root, 'test', 'fixtures', 'deltalake-cdf', 'table');

/** duckdb's rows for each predicate, each row as sorted-key JSON of exact texts. */
function oracle(kind: 'delta' | 'parquet' | 'cdf', dir: string, predicates: string[]): Record<string, string[]> {
  const out = execFileSync(python, [join(root, 'scripts', 'fixtures', 'duckdb_where.py'), kind, dir, JSON.stringify(predicates)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const parsed = JSON.parse(out) as Record<string, Array<Record<string, unknown>>>;
  return Object.fromEntries(Object.entries(parsed).map(([p, rows]) => [p, rows.map(canonical).sort()]));
}

/** A row as JSON with sorted keys, values as text (numbers as String writes them), without _commit_timestamp (a commit file's time differs between the copy in MinIO and the local one). */
function canonical(row: Record<string, unknown>): string {
  const keys = Object.keys(row).filter((k) => k !== '_commit_timestamp').sort();
  return JSON.stringify(keys.map((k) => [k, row[k] === null || typeof row[k] === 'boolean' ? row[k] : String(row[k])]));
}

const rowsOf = (stdout: string) => stdout.split('\n').filter((l) => l !== '').map((l) => canonical(parseJsonLineExact(l) as Record<string, unknown>)).sort();

/** The bytes a read reports it took from S3 (its stderr's last line). */
function bytesRead(stderr: string): number {
  const m = /^(\d+) bytes read from S3 in \d+ requests/m.exec(stderr);
  if (!m) throw new Error(`no bytes line in: ${stderr}`);
  return Number(m[1]);
}

const PREDICATES = [
  "region = 'eu'",
  'id < 9007199254741500',
  "day >= DATE '2024-01-15' AND flag = true",
  'region IS NULL OR amount > 99.5',
  "name > 'c0007000' AND NOT region IN ('us', 'asia')",
  // "at" quoted: duckdb reads a bare AT as a keyword.
  "\"at\" BETWEEN TIMESTAMP '2024-01-01T00:10:00.000500Z' AND TIMESTAMP '2024-01-01T00:20:00Z'",
  'score > 2600',
  "name IS NULL AND day = '2024-01-03'",
  'amount <= -99.9 OR id IN (9007199254740993, 9007199254748000)',
  'id = 1',
];

describe('tables read --where and --explain on tables written by deltalake and pyarrow', () => {
  let dir: string;
  let file: string;
  let raw: Record<string, unknown>;
  // In this process (--direct): the read reports the bytes it took from S3, which a read on a worker does not.
  const read = (...args: string[]) => runCli(['tables', 'read', ...args, '--direct', '--config', file]);

  beforeAll(async () => {
    if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
    Object.assign(process.env, rootKeyEnv());
    dir = mkdtempSync(join(tmpdir(), 'tables-where-'));
    execFileSync(python, [join(root, 'scripts', 'fixtures', 'make_pushdown_tables.py'), dir], { stdio: 'inherit' });
    const bucket = await createBucket('where');
    await putObjects(bucket, [...filesOf(join(dir, 'delta'), 'lake/sales/'), ...filesOf(join(dir, 'parquet'), 'lake/pq/'), ...filesOf(cdfTable, 'lake/cdf/')]);
    raw = {
      datasetStore: mkdtempSync(join(tmpdir(), 'tables-where-store-')),
      sources: { src: minioSource(bucket) },
      virtualTables: {
        sales: { source: 'src', format: 'delta', location: 'lake/sales/' },
        pq: { source: 'src', format: 'parquet', location: 'lake/pq/' },
        cdf: { source: 'src', format: 'delta', location: 'lake/cdf/' },
      },
    };
    file = writeConfigFile(raw);
  });

  it('filters the same way when the read runs on a worker', async () => {
    const predicate = "region = 'us' AND day <= DATE '2024-01-04' AND name IS NOT NULL";
    const expected = oracle('delta', join(dir, 'delta'), [predicate]);
    const result = await withWorker(config(raw), (q) => runCli(['tables', 'read', 'sales', '--where', predicate, '--config', file, '--address', testEnv().temporalAddress, '--task-queue', q]));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('(read on a worker)');
    expect(rowsOf(result.stdout)).toEqual(expected[predicate]);
    expect(expected[predicate]!.length).toBeGreaterThan(0);
  });

  it.each([['sales', 'delta'], ['pq', 'parquet']] as const)('returns exactly duckdb\'s rows for each predicate on the %s table (%s)', async (table, kind) => {
    const expected = oracle(kind, join(dir, kind), PREDICATES);
    for (const predicate of PREDICATES) {
      const result = await read(table, '--where', predicate);
      expect({ predicate, code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ predicate, code: 0, stderr: '' });
      expect({ predicate, rows: rowsOf(result.stdout) }).toEqual({ predicate, rows: expected[predicate] });
    }
    // Sanity of the oracle itself: the predicates select something, and not everything.
    expect(expected["region = 'eu'"]!.length).toBeGreaterThan(0);
    expect(expected['id = 1']).toEqual([]);
  });

  it('prunes Delta files by partition values and by statistics, and reads fewer bytes than a full scan', async () => {
    const plan = async (where?: string) => {
      const r = await read('sales', '--explain', '--json', ...(where !== undefined ? ['--where', where] : []));
      expect(r.code).toBe(0);
      const [object] = jsonLines(r.stdout);
      expect(object).toMatchObject({ type: 'explain', table: 'sales', version: 3 });
      return object as unknown as ReadExplain;
    };
    const full = await plan();
    expect(full).toMatchObject({ filesPrunedByPartition: 0, filesPrunedByStatistics: 0, rowGroupsPruned: 0 });
    expect(full.filesToRead).toBe(full.filesTotal);
    expect(full.filesTotal).toBeGreaterThan(16);

    const byPartition = await plan("region = 'eu'");
    expect(byPartition.filesPrunedByPartition).toBeGreaterThan(full.filesTotal / 2);
    expect(byPartition.filesPrunedByStatistics).toBe(0);
    const byStats = await plan('id < 9007199254741500');
    expect(byStats.filesPrunedByPartition).toBe(0);
    expect(byStats.filesPrunedByStatistics).toBeGreaterThan(full.filesTotal / 2);
    expect(byStats.bytesToRead).toBeLessThan(full.bytesToRead / 2);
    // Planning reads metadata only: the log and the kept files' footers, far less than the data.
    expect(byStats.metadataBytesRead).toBeLessThan(full.fileBytesTotal);

    const fullRead = await read('sales');
    const prunedRead = await read('sales', '--where', 'id < 9007199254741500');
    expect(fullRead.stderr).toContain('8000 rows of table sales version 3\n');
    expect(prunedRead.stderr).toContain('508 rows of table sales version 3\n');
    expect(bytesRead(prunedRead.stderr)).toBeLessThan(bytesRead(fullRead.stderr) / 2);
    expect(bytesRead(prunedRead.stderr)).toBeGreaterThanOrEqual(byStats.bytesToRead);

    const human = await read('sales', '--explain', '--where', "region = 'eu'");
    expect(human.stdout).toMatch(new RegExp(`^  files        ${full.filesTotal} in all, ${byPartition.filesPrunedByPartition} pruned by partition, 0 pruned by statistics, `, 'm'));
    expect(human.stdout).toContain('bytes read in');
  });

  it('prunes Parquet files by hive partitions and row groups by their statistics', async () => {
    const plan = async (where: string) => jsonLines((await read('pq', '--explain', '--json', '--where', where)).stdout)[0] as unknown as ReadExplain;
    const byPartition = await plan("region = 'eu'");
    expect(byPartition).toMatchObject({ filesTotal: 13, filesPrunedByPartition: 9, filesPrunedByStatistics: 0, rowGroupsPruned: 0 });
    const byStats = await plan('id < 9007199254741500');
    expect(byStats.filesPrunedByPartition).toBe(0);
    expect(byStats.rowGroupsPruned).toBeGreaterThan(byStats.rowGroupsTotal / 2);
    expect(byStats.filesPrunedByStatistics).toBeGreaterThan(0);
    const fullRead = await read('pq');
    const prunedRead = await read('pq', '--where', 'id < 9007199254741500');
    expect(bytesRead(prunedRead.stderr)).toBeLessThan(bytesRead(fullRead.stderr));
  });

  it('filters the changes of a --since read exactly as duckdb filters deltalake\'s load_cdf', async () => {
    const predicates = ["_change_type = 'insert' AND big > 9007199254740994", "part = 'a' OR amount < 0", '_commit_version = 1 AND NOT name IN (\'n5\')'];
    const expected = oracle('cdf', cdfTable, predicates);
    for (const predicate of predicates) {
      const result = await read('cdf', '--since', '0', '--where', predicate);
      expect(result.code).toBe(0);
      expect({ predicate, rows: rowsOf(result.stdout) }).toEqual({ predicate, rows: expected[predicate] });
      expect(expected[predicate]!.length).toBeGreaterThan(0);
    }
    const cut = await read('cdf', '--since', '0', '--columns', 'id', '--where', "name = 'n5'");
    expect(cut.stdout.split('\n').filter((l) => l !== '').map((l) => Object.keys(parseJsonLineExact(l) as object))).toEqual(
      expect.arrayContaining([['id', '_change_type', '_commit_version', '_commit_timestamp']]),
    );
  });

  it('refuses a predicate naming an unknown column or comparing a column with a literal of another type, with exit code 2', async () => {
    const unknown = await read('sales', '--where', 'nope = 1');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--where: no column nope in the table s3://');
    expect(unknown.stderr).toContain('(columns: id, amount, at, name, score, flag, region, day)');
    const mismatch = await read('pq', '--where', "id = 'x'");
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain("--where: column id is long; 'x' is not a number");
    const syntax = await read('sales', '--explain', '--where', 'id = ');
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toContain('expected a literal, found the end');
    const since = await read('cdf', '--since', '0', '--explain');
    expect(since.code).toBe(2);
  });
});
