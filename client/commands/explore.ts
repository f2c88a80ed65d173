/** `explore SOURCE [PATH]`: folders and files, printed page by page as they arrive. */
import type { Command } from 'commander';
import type { ExploreEntry } from '../../activities';
import { loadConfigFor, type GlobalOptions } from '../context';
import { probeRunner } from '../run-probe';
import { addGlobalOptions, parseOptions, wholeNumber } from '../options';
import { printable } from '../printable';

function formatEntry(e: ExploreEntry): string {
  return e.type === 'folder'
    ? `${'DIR'.padStart(12)}  ${''.padEnd(24)}  ${printable(e.path)}`
    : `${String(e.size).padStart(12)}  ${(e.lastModified ?? '').padEnd(24)}  ${printable(e.path)}`;
}


export function registerExplore(program: Command): void {
  addGlobalOptions(program.command('explore <source> [path]'))
    .description('list folders and files below the source URL (or PATH below it)')
    .option('--recursive', 'list every file below, without folders')
    .option('--page-size <n>', 'entries fetched per request (1-1000)', wholeNumber(1, 1000, 'the ListObjectsV2 maximum'), 1000)
    .option('--direct', 'run in this process instead of on a worker')
    .action(async (source: string, path: string | undefined, raw: unknown) => {
      const options = parseOptions<GlobalOptions & { direct?: boolean; recursive?: boolean; pageSize: number }>(raw);
      const { config } = loadConfigFor(options);
      const runner = await probeRunner(config, options);
      let token: string | undefined;
      let count = 0;
      try {
        do {
          const page = await runner.explore(source, { path: path ?? '', recursive: options.recursive ?? false, token, pageSize: options.pageSize });
          const out = page.entries.map((e) => (options.json ? JSON.stringify(e) : formatEntry(e))).join('\n');
          if (out) process.stdout.write(`${out}\n`);
          count += page.entries.length;
          token = page.nextToken;
        } while (token);
        if (!options.json) process.stderr.write(`${count} entr${count === 1 ? 'y' : 'ies'}\n`);
      } finally {
        await runner.close();
      }
    });
}
