/**
 * The tables benchmark: `npx tsx bench/tables/run.ts [--rows N] [--commits N] [--runs N]
 * [--formats delta,iceberg] [--work-dir DIR] [--results DIR]` (see bench/README.md, "Virtual
 * tables against DuckDB"). Starts one MinIO on loopback and writes the same rows (2,000,000 by
 * default) as a Delta table (deltalake) and as an Iceberg table (pyiceberg), partitioned alike
 * (formats.ts). On each it runs a full scan and a query pruned by partition and by file
 * statistics with `s3-connector tables read --direct` and with DuckDB (its delta or iceberg
 * extension, duckdb_query.py), both writing JSON lines to a file and reading through one counting
 * proxy (counting-proxy.ts), which gives each run's bytes from S3 and requests; time is each
 * process's wall clock, start to exit. The tools' rows are checked to agree first (queries.ts).
 * Writes results.md and results.json into bench/results/tables/ (or --results DIR).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { startMinio } from '../../devservers/minio';
import { adminClient, ensureBucket } from '../generate';
import { loadAverage } from '../measure';
import { startCountingProxy, type CountingProxy } from './counting-proxy';
import { dataFiles, FORMATS, makeTable, type BenchTable, type TableFormat } from './formats';
import { count, option, succeed } from './process';
import { checkSameRows, timeQueries, type Query, type QueryContext } from './queries';
import { tablesReport, type TableResult, type TablesResults } from './report';

const root = resolve(__dirname, '..', '..');
const python = join(root, '.tools', 'venv', 'bin', 'python');
const log = (line: string) => process.stdout.write(`${line}\n`);
const BUCKET = 'bench-tables';

function formatsOption(): TableFormat[] {
  const asked = option('formats', FORMATS.join(',')).split(',').filter((f) => f !== '');
  const unknown = asked.filter((f) => !(FORMATS as readonly string[]).includes(f));
  if (unknown.length > 0 || asked.length === 0) throw new Error(`--formats: expected a comma-separated list of ${FORMATS.join(', ')}, got ${option('formats', '')}`);
  return FORMATS.filter((f) => asked.includes(f));
}

async function main(): Promise<void> {
  const rows = count('rows', 2_000_000);
  const commits = count('commits', 4);
  const runs = count('runs', 3);
  const formats = formatsOption();
  const workDir = option('work-dir', join(root, '.run', 'bench-tables'));
  const resultsDir = option('results', join(root, 'bench', 'results', 'tables'));
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const loadBefore = loadAverage();
  const startedAt = new Date().toISOString();

  log(`tables bench: ${formats.join(' and ')}, ${rows} rows in ${commits} commits, ${runs} run(s) per cell; work folder ${workDir}`);
  const minio = await startMinio({ dataDir: join(workDir, 'minio'), logDir: workDir });
  let proxy: CountingProxy | undefined;
  try {
    const s3 = adminClient({ endpoint: minio.endpoint, accessKeyId: minio.rootUser, secretAccessKey: minio.rootPassword });
    await ensureBucket(s3, BUCKET);
    const tables: BenchTable[] = [];
    for (const format of formats) {
      tables.push(await makeTable(format, { s3, bucket: BUCKET, minio, workDir, python, rows, commits }));
      log(`${format} table written`);
    }

    proxy = await startCountingProxy(minio.endpoint);
    const config = join(workDir, 's3-connector.yaml');
    writeFileSync(config, stringify({
      datasetStore: join(workDir, 'store'),
      sources: { lake: { url: `s3://${BUCKET}/`, endpoint: proxy.endpoint, pathStyleAccess: true, credentials: { type: 'accessKey', accessKeyId: '${env:BENCH_KEY}', secretAccessKey: '${env:BENCH_SECRET}' } } },
      virtualTables: Object.fromEntries(tables.map((t) => [t.name, { source: 'lake', format: t.format, location: t.prefix }])),
    }));
    const env = { ...process.env, BENCH_KEY: minio.rootUser, BENCH_SECRET: minio.rootPassword };
    const ctx: QueryContext = { proxy, minio, bucket: BUCKET, workDir, python, config, env, runs, log };
    // The first commit's ids (ids rise with the commit), in one region: pruned by partition values, then by id statistics.
    const pruned = `region = 'eu' AND id < ${2n ** 53n + BigInt(Math.floor(rows / commits))}`;
    const queries: Query[] = [{ name: 'full scan' }, { name: 'pruned', where: pruned }];

    const results: TableResult[] = [];
    for (const table of tables) {
      const files = await dataFiles(s3, BUCKET, table);
      log(`${table.format}: ${files.files} data files, ${files.bytes} bytes`);
      await checkSameRows(table, queries[1]!, ctx);
      const explain = await succeed(`${table.format} explain`, process.execPath, [join(root, 'bin', 's3-connector.js'), 'tables', 'read', table.name, '--direct', '--explain', '--json', '--where', pruned, '--config', config], env);
      const timedQueries = await timeQueries(table, queries, ctx);
      const full = timedQueries.find((q) => q.where === undefined)!;
      if (full.connector.rows !== rows) throw new Error(`${table.format} full scan: ${full.connector.rows} rows, expected ${rows}`);
      results.push({ format: table.format, layout: table.layout, dataFiles: files.files, dataBytes: files.bytes, plan: JSON.parse(explain.stdout) as Record<string, number>, queries: timedQueries });
    }
    const report: TablesResults = {
      startedAt, endedAt: new Date().toISOString(), rows, commits, runsPerCell: runs,
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadBefore, loadAfter: loadAverage() },
      tables: results,
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
