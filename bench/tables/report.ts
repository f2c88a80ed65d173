/**
 * The tables benchmark's figures and their markdown: per table format and query, each tool's
 * median wall time, bytes read from S3 (counted by the proxy) and requests, and s3-connector's
 * ratios to DuckDB.
 */

/** One tool's cell: medians over the runs, and each run's time. */
export interface ToolCell {
  seconds: number;
  /** User + system CPU seconds of the tool's process (and its children). */
  cpuSeconds: number;
  bytes: number;
  requests: number;
  rows: number;
  runs: number[];
}

/** One query's results. */
export interface QueryResult {
  name: string;
  where?: string;
  connector: ToolCell;
  duckdb: ToolCell;
}

/** One table's (one format's) results. */
export interface TableResult {
  format: string;
  /** How the table is written and laid out. */
  layout: string;
  dataFiles: number;
  dataBytes: number;
  /** `tables read --explain --json` of the pruned query. */
  plan: Record<string, number>;
  queries: QueryResult[];
}

/** A whole run. */
export interface TablesResults {
  startedAt: string;
  endedAt: string;
  rows: number;
  commits: number;
  runsPerCell: number;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; loadBefore: number[]; loadAfter: number[] };
  tables: TableResult[];
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(2);

function planLine(p: Record<string, number>): string {
  return `${p.filesTotal} files, ${p.filesPrunedByPartition} pruned by partition, ${p.filesPrunedByStatistics} by statistics, ${p.filesToRead} read; ${p.bytesToRead} bytes of column chunks to read; the plan itself read ${p.metadataBytesRead} bytes`;
}

/** The results as markdown. */
export function tablesReport(r: TablesResults): string {
  const lines = [
    `# Virtual tables: s3-connector tables read against DuckDB`,
    '',
    `${r.startedAt} → ${r.endedAt}. ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB RAM, Node ${r.machine.node}. Load average before: ${r.machine.loadBefore.join(' / ')}; after: ${r.machine.loadAfter.join(' / ')}. MinIO, the proxy and both clients share this machine over loopback.`,
    '',
    `The same ${r.rows} rows in ${r.commits} commits in each table format. Each cell is the median of ${r.runsPerCell} run(s); time is the process's wall clock (start to exit: runtime start, extension load and the output file included) and CPU its user + system seconds (GNU time), which the machine's load disturbs less; bytes are the reply bodies that passed the counting proxy in front of MinIO. Both write every row as JSON lines to a file, and returned the same rows (the pruned query's compared value by value) before timing. MB = 10^6 bytes.`,
    '',
  ];
  for (const t of r.tables) lines.push(`- ${t.format}: ${t.layout}; ${t.dataFiles} data files, ${mb(t.dataBytes)} MB.`);
  lines.push('', '| format | query | tool | rows | time (s) | CPU (s) | bytes from S3 (MB) | requests |', '|---|---|---|---|---|---|---|---|');
  for (const t of r.tables) {
    for (const q of t.queries) {
      for (const [tool, c] of [['s3-connector', q.connector], ['DuckDB', q.duckdb]] as const) {
        lines.push(`| ${t.format} | ${q.name}${q.where && tool === 's3-connector' ? ` (\`${q.where}\`)` : ''} | ${tool} | ${c.rows} | ${c.seconds.toFixed(2)} | ${c.cpuSeconds.toFixed(2)} | ${mb(c.bytes)} | ${c.requests} |`);
      }
    }
  }
  lines.push('', '| format | query | time, s3-connector ÷ DuckDB (above 1: s3-connector slower) | CPU, s3-connector ÷ DuckDB | bytes from S3, s3-connector ÷ DuckDB | bytes, pruned ÷ full scan (s3-connector / DuckDB) |', '|---|---|---|---|---|---|');
  for (const t of r.tables) {
    const full = t.queries.find((q) => q.where === undefined);
    for (const q of t.queries) {
      const share = full && q !== full ? `${(q.connector.bytes / full.connector.bytes).toFixed(3)} / ${(q.duckdb.bytes / full.duckdb.bytes).toFixed(3)}` : '-';
      lines.push(`| ${t.format} | ${q.name} | ${(q.connector.seconds / q.duckdb.seconds).toFixed(2)}× | ${(q.connector.cpuSeconds / q.duckdb.cpuSeconds).toFixed(2)}× | ${(q.connector.bytes / q.duckdb.bytes).toFixed(2)}× | ${share} |`);
    }
  }
  lines.push('');
  for (const t of r.tables) {
    lines.push(`${t.format}, each run's time (s): ${t.queries.map((q) => `${q.name}: s3-connector ${q.connector.runs.map((s) => s.toFixed(2)).join(', ')}; DuckDB ${q.duckdb.runs.map((s) => s.toFixed(2)).join(', ')}`).join('. ')}.`, '');
  }
  for (const t of r.tables) lines.push(`s3-connector's plan of the pruned query on ${t.format} (\`--explain\`): ${planLine(t.plan)}.`, '');
  return `${lines.join('\n')}\n`;
}
