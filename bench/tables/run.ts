/**
 * The tables benchmark: `npx tsx bench/tables/run.ts [--rows N] [--commits N] [--runs N]`
 * (see bench/README.md, "Virtual tables against DuckDB"). Starts one MinIO on loopback, writes a
 * partitioned Delta table with deltalake (bench/tables/make_table.py, 2,000,000 rows, about 80 MB
 * by default) into it, and runs the same two queries with `s3-connector tables read --direct`
 * and with DuckDB (delta + httpfs extensions, bench/tables/duckdb_query.py), both writing JSON
 * lines to a file: a full scan, and a query pruned by partition and by file statistics. Both
 * read through one counting proxy (counting-proxy.ts), which gives each run's bytes from S3 and
 * requests; time is each process's wall clock, start to exit. Writes results.md and
 * results.json into bench/results/tables/ (or --results DIR).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { stringify } from 'yaml';
import { startMinio } from '../../devservers/minio';
import { adminClient, ensureBucket } from '../generate';
import { loadAverage, median } from '../measure';
import { startCountingProxy, type CountingProxy } from './counting-proxy';
import { tablesReport, type QueryResult, type TablesResults } from './report';

const root = resolve(__dirname, '..', '..');
const python = join(root, '.tools', 'venv', 'bin', 'python');
const log = (line: string) => process.stdout.write(`${line}\n`);
const BUCKET = 'bench-tables';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? String(process.argv[i + 1]) : fallback;
}

/** Runs a process to its end: its wall time in seconds, and its output. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ seconds: number; code: number; stdout: string; stderr: string }> {
  const started = performance.now();
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => ok({ seconds: (performance.now() - started) / 1000, code: code ?? -1, stdout, stderr }));
  });
}

/** Every file below `dir`, as keys below `prefix`. */
function filesBelow(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(path);
    }
  };
  walk(dir);
  return out;
}

async function main(): Promise<void> {
  const rows = flag('rows', 2_000_000);
  const commits = flag('commits', 4);
  const runs = flag('runs', 3);
  const workDir = option('work-dir', join(root, '.run', 'bench-tables'));
  const resultsDir = option('results', join(root, 'bench', 'results', 'tables'));
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const loadBefore = loadAverage();
  const startedAt = new Date().toISOString();

  log(`tables bench: ${rows} rows in ${commits} commits, ${runs} run(s) per cell; work folder ${workDir}`);
  const minio = await startMinio({ dataDir: join(workDir, 'minio'), logDir: workDir });
  let proxy: CountingProxy | undefined;
  try {
    const tableDir = join(workDir, 'table');
    const made = await timed(python, [join(__dirname, 'make_table.py'), tableDir, String(rows), String(commits)]);
    if (made.code !== 0) throw new Error(`make_table.py failed: ${made.stderr}`);
    const files = filesBelow(join(tableDir, 'sales'));
    const dataBytes = files.filter((f) => f.endsWith('.parquet')).reduce((n, f) => n + statSync(f).size, 0);
    const s3 = adminClient({ endpoint: minio.endpoint, accessKeyId: minio.rootUser, secretAccessKey: minio.rootPassword });
    await ensureBucket(s3, BUCKET);
    const limit = pLimit(16);
    await Promise.all(files.map((f) => limit(() => s3.send(new PutObjectCommand({
      Bucket: BUCKET, Key: `lake/sales/${relative(join(tableDir, 'sales'), f).split(sep).join('/')}`, Body: readFileSync(f),
    })))));
    log(`table written by deltalake and uploaded: ${files.filter((f) => f.endsWith('.parquet')).length} data files, ${dataBytes} bytes`);

    proxy = await startCountingProxy(minio.endpoint);
    const config = join(workDir, 's3-connector.yaml');
    writeFileSync(config, stringify({
      datasetStore: join(workDir, 'store'),
      sources: { lake: { url: `s3://${BUCKET}/`, endpoint: proxy.endpoint, pathStyleAccess: true, credentials: { type: 'accessKey', accessKeyId: '${env:BENCH_KEY}', secretAccessKey: '${env:BENCH_SECRET}' } } },
      virtualTables: { sales: { source: 'lake', format: 'delta', location: 'lake/sales/' } },
    }));
    const env = { ...process.env, BENCH_KEY: minio.rootUser, BENCH_SECRET: minio.rootPassword };
    const cli = join(root, 'bin', 's3-connector.js');
    const hostPort = new URL(proxy.endpoint).host;
    // The first commit's ids (ids rise with the commit), in one region: pruned by partition values, then by id statistics.
    const pruned = `region = 'eu' AND id < ${2n ** 53n + BigInt(Math.floor(rows / commits))}`;
    const queries: Array<{ name: string; where?: string }> = [{ name: 'full scan' }, { name: 'pruned', where: pruned }];

    const explain = await timed(process.execPath, [cli, 'tables', 'read', 'sales', '--direct', '--explain', '--json', '--where', pruned, '--config', config], env);
    if (explain.code !== 0) throw new Error(`explain failed: ${explain.stderr}`);
    const plan = JSON.parse(explain.stdout) as Record<string, number>;

    const results: QueryResult[] = [];
    for (const query of queries) {
      const cells: Record<'s3-connector' | 'duckdb', Array<{ seconds: number; bytes: number; requests: number; rows: number }>> = { 's3-connector': [], duckdb: [] };
      for (let run = 0; run < runs; run++) {
        // Alternate which tool goes first, so neither always meets a warmer MinIO.
        const order = run % 2 === 0 ? ['s3-connector', 'duckdb'] as const : ['duckdb', 's3-connector'] as const;
        for (const tool of order) {
          const out = join(workDir, `out-${tool}.jsonl`);
          proxy.reset();
          const r = tool === 's3-connector'
            ? await timed(process.execPath, [cli, 'tables', 'read', 'sales', '--direct', '--out', out, '--config', config, ...(query.where ? ['--where', query.where] : [])], env)
            : await timed(python, [join(__dirname, 'duckdb_query.py'), hostPort, minio.rootUser, minio.rootPassword, `s3://${BUCKET}/lake/sales`, out, query.where ?? '']);
          if (r.code !== 0) throw new Error(`${tool} ${query.name} failed (exit ${r.code}): ${r.stderr}`);
          const counts = proxy.counts();
          const lines = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '').length;
          cells[tool].push({ seconds: r.seconds, bytes: counts.bytes, requests: counts.requests, rows: lines });
          log(`${query.name} run ${run + 1} ${tool}: ${r.seconds.toFixed(2)} s, ${counts.bytes} bytes in ${counts.requests} requests, ${lines} rows`);
          rmSync(out, { force: true });
        }
      }
      const cell = (tool: 's3-connector' | 'duckdb') => ({
        seconds: median(cells[tool].map((c) => c.seconds)), bytes: median(cells[tool].map((c) => c.bytes)),
        requests: median(cells[tool].map((c) => c.requests)), rows: cells[tool][0]!.rows, runs: cells[tool].map((c) => c.seconds),
      });
      results.push({ name: query.name, where: query.where, connector: cell('s3-connector'), duckdb: cell('duckdb') });
    }
    const report: TablesResults = {
      startedAt, endedAt: new Date().toISOString(), rows, commits, runsPerCell: runs, dataFiles: files.filter((f) => f.endsWith('.parquet')).length, dataBytes,
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadBefore, loadAfter: loadAverage() },
      plan, queries: results,
    };
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(resultsDir, 'results.md'), tablesReport(report));
    log(tablesReport(report));
  } finally {
    await proxy?.close();
    await minio.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`tables bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
