/** `check SOURCE`: prints each permission as ok or missing, with the IAM statement that grants it. */
import type { Command } from 'commander';
import type { CheckResult } from '../../activities';
import { loadConfigFor, type GlobalOptions } from '../context';
import { JobFailedError } from '../errors';
import { probeRunner } from '../run-probe';
import { addGlobalOptions, parseOptions } from '../options';
import { printable } from '../printable';

/** Human-readable lines of a check result. */
export function formatCheck(result: CheckResult): string[] {
  const lines = [`source ${result.source}: s3://${result.bucket}/${result.prefix}${result.viaProxy ? ' (via proxy)' : ''}`];
  if (result.rejectedCredentials) {
    lines.push(`  ERROR   credentials — the store rejected them (${result.rejectedCredentials.code}); no permission was probed`, `          fix: ${result.rejectedCredentials.fix}`);
    return lines.map(printable);
  }
  if (result.unreachable) {
    lines.push(`  UNREACHABLE ${result.unreachable.endpoint} — ${result.unreachable.detail}`, `          fix: ${result.unreachable.fix}`);
    return lines.map(printable);
  }
  for (const p of result.probes) {
    lines.push(`  ${p.status === 'ok' ? 'ok     ' : p.status === 'missing' ? 'MISSING' : 'ERROR  '} ${p.permission}${p.detail ? ` — ${p.detail}` : ''}`);
    if (p.fix) lines.push(`          fix: add this statement to the policy: ${p.fix}`);
  }
  // Details quote S3's replies and keys.
  return lines.map(printable);
}

export function registerCheck(program: Command): void {
  addGlobalOptions(program.command('check <source>'))
    .description('connect to a source and probe the permissions the connector needs')
    .option('--direct', 'run in this process instead of on a worker')
    .action(async (source: string, raw: unknown) => {
      const options = parseOptions<GlobalOptions & { direct?: boolean }>(raw);
      const { config } = loadConfigFor(options);
      const runner = await probeRunner(config, options);
      try {
        const result = await runner.check(source);
        if (options.json) process.stdout.write(`${JSON.stringify({ type: 'check', ...result })}\n`);
        else process.stdout.write(`${formatCheck(result).join('\n')}\n`);
        if (result.rejectedCredentials) throw new JobFailedError(`source ${source}: the store rejected the credentials (${result.rejectedCredentials.code}); no permission was probed. Fix: ${result.rejectedCredentials.fix}.`);
        if (result.unreachable) throw new JobFailedError(`cannot connect to source ${source} at ${result.unreachable.endpoint}: nothing was probed. Fix: ${result.unreachable.fix}.`);
        const bad = result.probes.filter((p) => p.status !== 'ok');
        if (bad.length > 0) throw new JobFailedError(`${bad.length} permission probe(s) failed: ${bad.map((p) => p.permission).join(', ')}`);
      } finally {
        await runner.close();
      }
    });
}
