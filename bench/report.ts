/**
 * Writes the results: results.json, a markdown report (results.md) and the chart (chart.png,
 * drawn by bench/chart.py with matplotlib from .tools/venv).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectorRatio, figures, ratioToWarp, targetChecks, type Results, type Row } from './results';

const n = (value: number | undefined, digits = 2) => (value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits));
const rate = (value: number | undefined) => (value === undefined ? '—' : value >= 100 ? value.toFixed(0) : value.toFixed(1));
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const PEERS = ['s5cmd', 'rclone', 'aws-cli'];
const size = (bytes: number) => (bytes >= 2 ** 30 ? `${bytes / 2 ** 30} GiB` : bytes >= 2 ** 20 ? `${bytes / 2 ** 20} MiB` : `${bytes / 1024} KiB`);

function dataTable(results: Results, section: 'import' | 'export'): string[] {
  const warpOp = section === 'import' ? 'GET' : 'PUT';
  const lines = [
    `| workload | tool | wall s | objects/s | MB/s | client CPU s | peak RSS MiB | server CPU s | × warp ${warpOp} |`,
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of results.rows.filter((r) => r.section === section)) {
    const f = figures(row);
    if (!f) {
      lines.push(`| ${row.workloadLabel} | ${row.tool} | ${row.error ?? 'not run'} | | | | | | |`);
      continue;
    }
    lines.push(`| ${row.workloadLabel} | ${row.tool} | ${n(f.wallSeconds)} | ${rate(f.objectsPerSecond)} | ${rate(f.mbPerSecond)} | ${n(f.cpuSeconds)} `
      + `| ${mib(f.peakRssBytes)} | ${n(f.serverCpuSeconds)} | ${n(ratioToWarp(results, row))} |`);
  }
  return lines;
}

function ratioTable(results: Results): string[] {
  const lines = ['| section | workload | ÷ s5cmd | ÷ rclone | ÷ aws-cli | ÷ warp |', '|---|---|---:|---:|---:|---:|'];
  const seen = new Set<string>();
  for (const row of results.rows.filter((r) => r.section !== 'incremental' && r.tool === 's3-connector')) {
    const key = `${row.section}/${row.workload}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const cells = PEERS.map((p) => n(connectorRatio(results, row.section, row.workload, p)));
    lines.push(`| ${row.section} | ${row.workloadLabel} | ${cells.join(' | ')} | ${n(ratioToWarp(results, row))} |`);
  }
  return lines;
}

function incrementalTable(results: Results): string[] {
  const rows = results.rows.filter((r) => r.section === 'incremental');
  if (!rows.length) return ['(not run)'];
  const lines = ['| run | tool | wall s | client CPU s | peak RSS MiB | server CPU s | s3-connector ÷ this (time) |', '|---|---|---:|---:|---:|---:|---:|'];
  for (const row of rows) {
    const f = figures(row);
    const label = row.note ? `${row.workloadLabel} (${row.note})` : row.workloadLabel;
    if (!f) {
      lines.push(`| ${label} | ${row.tool} | ${row.error ?? 'not run'} | | | | |`);
      continue;
    }
    const ratio = row.tool === 's3-connector' || row.note ? undefined : connectorRatio(results, 'incremental', row.workload, row.tool);
    lines.push(`| ${label} | ${row.tool} | ${n(f.wallSeconds)} | ${n(f.cpuSeconds)} | ${mib(f.peakRssBytes)} | ${n(f.serverCpuSeconds)} | ${n(ratio)} |`);
  }
  return lines;
}

/** The markdown report of `results`. */
export function renderMarkdown(results: Results): string {
  const m = results.machine;
  const out = [
    `# s3-connector benchmark (${results.mode})`,
    '',
    `${results.startedAt} → ${results.finishedAt ?? '…'}. ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB RAM, Node ${m.node}. `
      + `Load average (1/5/15 min) before: ${m.loadBefore.join(' / ')}; after: ${(m.loadAfter ?? []).join(' / ')}. `
      + `MinIO, the Temporal dev server and every client share this machine over loopback.`,
    '',
    `Concurrency ${results.concurrency} for every tool (s3-connector: the source's maxConnections; s5cmd: --numworkers; `
      + `rclone: --transfers and --checkers; aws-cli: max_concurrent_requests). Multipart threshold and part size 64 MiB for all. `
      + `Each cell is the median of ${results.runsPerCell} run(s). MB = 10^6 bytes. Client CPU is user+sys of the tool's process `
      + `(s3-connector: its worker process); server CPU is what MinIO and the Temporal server used meanwhile.`,
    '',
    `Versions: ${Object.entries(results.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    '',
    '## Targets (issue 6)',
    '',
    '| target | measured | met |', '|---|---|---|',
    ...targetChecks(results).map((c) => `| ${c.target} | ${c.value} | ${c.met === undefined ? 'n/a' : c.met ? 'yes' : 'no'} |`),
    '',
    '## Import (bucket → local folder / dataset)',
    '',
    ...dataTable(results, 'import'),
    '',
    '## Export (local folder / dataset → bucket)',
    '',
    ...dataTable(results, 'export'),
    '',
    '## s3-connector ÷ each peer (throughput; above 1 means s3-connector is faster)',
    '',
    ...ratioTable(results),
    '',
    '## Incremental (unchanged objects plus new ones) against a bare listing',
    '',
    ...incrementalTable(results),
    '',
    '## warp: the server\'s raw rate (upper bound)',
    '',
    '| workload | op | object size | concurrency | seconds | MB/s | objects/s | from |', '|---|---|---:|---:|---:|---:|---:|---|',
    ...results.warp.map((w) => `| ${w.workload} | ${w.op.toUpperCase()} | ${size(w.objectSize)} | ${w.concurrency} | ${w.seconds} | ${rate(w.bytesPerSecond / 1e6)} | ${rate(w.objectsPerSecond)} | ${w.source} |`),
    '',
    '## Integrity work each tool does',
    '',
    '| tool | import (download) | export (upload) |', '|---|---|---|',
    ...Object.entries(results.integrity).map(([tool, i]) => `| ${tool} | ${i.import} | ${i.export} |`),
    '',
    ...(results.notes.length ? ['## Notes', '', ...results.notes.map((note) => `- ${note}`), ''] : []),
  ];
  return out.join('\n');
}

/** Writes results.json, results.md and (when `chart`) chart.png into `dir`; returns the files written. */
export function writeResults(results: Results, dir: string, chart: boolean, python: string): string[] {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'results.json');
  const md = join(dir, 'results.md');
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(md, renderMarkdown(results));
  const written = [json, md];
  if (chart) {
    if (!existsSync(python)) {
      results.notes.push(`chart not drawn: ${python} is missing (run bench/install-peers.sh)`);
    } else {
      const png = join(dir, 'chart.png');
      try {
        execFileSync(python, [join(__dirname, 'chart.py'), json, png], { stdio: ['ignore', 'ignore', 'pipe'] });
        written.push(png);
      } catch (err) {
        results.notes.push(`chart not drawn: ${(err as Error).message.split('\n').slice(-3).join(' ')}`);
        writeFileSync(md, renderMarkdown(results));
      }
    }
  }
  return written;
}

/** A row's figures for the console: one line. */
export function describeRow(row: Row): string {
  const f = figures(row);
  if (!f) return `${row.section} ${row.workload} ${row.tool}: ${row.error ?? 'not run'}`;
  return `${row.section} ${row.workload} ${row.tool}${row.note ? ` (${row.note})` : ''}: ${f.wallSeconds.toFixed(2)} s, ${rate(f.objectsPerSecond)} obj/s, `
    + `${rate(f.mbPerSecond)} MB/s, CPU ${f.cpuSeconds.toFixed(2)} s, RSS ${mib(f.peakRssBytes)} MiB`;
}
