/** `preview SOURCE KEY`: first rows of CSV, JSON lines, Parquet or Avro, or the detected media type and metadata. */
import type { Command } from 'commander';
import type { PreviewResult } from '../../activities';
import { loadConfigFor, type GlobalOptions } from '../context';
import { probeRunner } from '../run-probe';
import { addGlobalOptions, parseOptions, wholeNumber } from '../options';
import { printable } from '../printable';

/** The text output; the key, metadata, column names and cells come from the object, so each is made printable. */
export function formatPreview(p: PreviewResult): string {
  const header = `${printable(p.key)}: ${printable(p.mediaType)}, ${p.size} bytes${p.totalRows !== undefined ? `, ${p.totalRows} rows` : ''}`;
  if (p.metadata || p.problem) {
    const fields = Object.entries(p.metadata ?? {}).map(([k, v]) => `  ${printable(k).padEnd(16)}  ${printable(typeof v === 'string' ? v : JSON.stringify(v))}`);
    return [header, ...fields, ...(p.problem ? [`  ${'problem'.padEnd(16)}  ${printable(p.problem)}`] : [])].join('\n');
  }
  if (!p.columns || !p.rows) return header;
  const cell = (c: unknown) => printable(c === null || c === undefined ? '' : String(c));
  const table = [p.columns.map(cell), ...p.rows.map((r) => r.map(cell))];
  const widths = p.columns.map((_, i) => Math.min(40, Math.max(...table.map((r) => String(r[i] ?? '').length))));
  const line = (r: unknown[]) => widths.map((w, i) => String(r[i] ?? '').slice(0, w).padEnd(w)).join('  ');
  return [header, line(table[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)].join('\n');
}

export function registerPreview(program: Command): void {
  addGlobalOptions(program.command('preview <source> <key>'))
    .description('show the first rows of a CSV, JSON-lines, Parquet or Avro object, or its media type and metadata')
    .option('--rows <n>', 'how many rows (1-100)', wholeNumber(1, 100), 10)
    .option('--direct', 'run in this process instead of on a worker')
    .action(async (source: string, key: string, raw: unknown) => {
      const options = parseOptions<GlobalOptions & { direct?: boolean; rows: number }>(raw);
      const { config } = loadConfigFor(options);
      const runner = await probeRunner(config, options);
      try {
        const result = await runner.preview(source, key, options.rows);
        process.stdout.write(`${options.json ? JSON.stringify({ type: 'preview', ...result }) : formatPreview(result)}\n`);
      } finally {
        await runner.close();
      }
    });
}
