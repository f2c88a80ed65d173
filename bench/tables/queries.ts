/**
 * The two queries of the tables benchmark on one table, with both tools through the counting
 * proxy: first a check that they agree (the pruned query's rows compared as values by
 * same_rows.py), then each query's timed runs, the tools alternating which goes first. Every
 * run's row count is checked against the other tool's, so a figure never comes from wrong rows.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { median } from '../measure';
import type { CountingProxy } from './counting-proxy';
import type { BenchTable } from './formats';
import { succeed } from './process';
import type { QueryResult, ToolCell } from './report';

/** How the tools reach the table. */
export interface QueryContext {
  proxy: CountingProxy;
  minio: { rootUser: string; rootPassword: string };
  bucket: string;
  workDir: string;
  python: string;
  /** The s3-connector config file (its source points at the proxy). */
  config: string;
  /** The environment holding the config's credentials. */
  env: NodeJS.ProcessEnv;
  runs: number;
  log: (line: string) => void;
}

/** A query: its name, and its predicate (none: a full scan). */
export interface Query {
  name: string;
  where?: string;
}

type Tool = 's3-connector' | 'duckdb';
interface Run { seconds: number; cpuSeconds: number; bytes: number; requests: number; rows: number }

const root = join(__dirname, '..', '..');
const cli = join(root, 'bin', 's3-connector.js');

/** Runs one tool once with the proxy's counts reset: its time, bytes, requests, and the row count of `out`. */
async function runOnce(tool: Tool, table: BenchTable, query: Query, out: string, ctx: QueryContext): Promise<Run> {
  ctx.proxy.reset();
  const r = tool === 's3-connector'
    ? await succeed(`s3-connector ${table.format} ${query.name}`, process.execPath, [cli, 'tables', 'read', table.name, '--direct', '--out', out, '--config', ctx.config, ...(query.where ? ['--where', query.where] : [])], ctx.env)
    : await succeed(`DuckDB ${table.format} ${query.name}`, ctx.python, [join(__dirname, 'duckdb_query.py'), table.format, new URL(ctx.proxy.endpoint).host, ctx.minio.rootUser, ctx.minio.rootPassword, table.duckdbUrl, out, query.where ?? '']);
  const counts = ctx.proxy.counts();
  const rows = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '').length;
  return { seconds: r.seconds, cpuSeconds: r.cpuSeconds, bytes: counts.bytes, requests: counts.requests, rows };
}

/** Fails unless both tools return the same rows for `query` (compared as typed values, in any order). */
export async function checkSameRows(table: BenchTable, query: Query, ctx: QueryContext): Promise<number> {
  const outs = { 's3-connector': join(ctx.workDir, 'check-s3-connector.jsonl'), duckdb: join(ctx.workDir, 'check-duckdb.jsonl') };
  for (const tool of ['s3-connector', 'duckdb'] as const) await runOnce(tool, table, query, outs[tool], ctx);
  const same = await succeed(`same rows (${table.format} ${query.name}: s3-connector and DuckDB differ)`, ctx.python, [join(__dirname, 'same_rows.py'), outs['s3-connector'], outs.duckdb]);
  const verdict = JSON.parse(same.stdout) as { connectorRows: number };
  ctx.log(`${table.format} ${query.name}: s3-connector and DuckDB return the same ${verdict.connectorRows} rows`);
  for (const out of Object.values(outs)) rmSync(out, { force: true });
  return verdict.connectorRows;
}

/** Each query's timed runs on `table`, as medians per tool. */
export async function timeQueries(table: BenchTable, queries: Query[], ctx: QueryContext): Promise<QueryResult[]> {
  const results: QueryResult[] = [];
  for (const query of queries) {
    const cells: Record<Tool, Run[]> = { 's3-connector': [], duckdb: [] };
    for (let run = 0; run < ctx.runs; run++) {
      // Alternate which tool goes first, so neither always meets a warmer MinIO.
      const order: Tool[] = run % 2 === 0 ? ['s3-connector', 'duckdb'] : ['duckdb', 's3-connector'];
      for (const tool of order) {
        const out = join(ctx.workDir, `out-${tool}.jsonl`);
        const r = await runOnce(tool, table, query, out, ctx);
        rmSync(out, { force: true });
        cells[tool].push(r);
        ctx.log(`${table.format} ${query.name} run ${run + 1} ${tool}: ${r.seconds.toFixed(2)} s (${r.cpuSeconds.toFixed(2)} s CPU), ${r.bytes} bytes in ${r.requests} requests, ${r.rows} rows`);
      }
    }
    const counts = new Set([...cells['s3-connector'], ...cells.duckdb].map((c) => c.rows));
    if (counts.size !== 1) throw new Error(`${table.format} ${query.name}: the runs returned different row counts (${[...counts].join(', ')})`);
    const cell = (tool: Tool): ToolCell => ({
      seconds: median(cells[tool].map((c) => c.seconds)), cpuSeconds: median(cells[tool].map((c) => c.cpuSeconds)), bytes: median(cells[tool].map((c) => c.bytes)),
      requests: median(cells[tool].map((c) => c.requests)), rows: cells[tool][0]!.rows, runs: cells[tool].map((c) => c.seconds),
    });
    results.push({ name: query.name, where: query.where, connector: cell('s3-connector'), duckdb: cell('duckdb') });
  }
  return results;
}
