/** The Markdown a job run shows as its "current details" in the Temporal Web UI. Pure. */
import type { JobProgress } from '../shared/temporal-contract';

const mb = (n: number) => (n / 1e6).toFixed(1);

/** The details of job `job` at `p`: its phase and a table of counts. */
export function renderDetails(job: string, p: JobProgress): string {
  const rows: Array<[string, string | number]> = p.kind === 'sync'
    ? [['pages listed', p.pages], ['objects listed', p.listed], ['files copied', `${p.filesCopied} / ${p.objectsPlanned}`],
      ['MB copied', `${mb(p.bytesCopied)} / ${mb(p.bytesPlanned)}`], ['skipped', p.skipped]]
    : [['pages planned', p.pages], ['files exported', `${p.filesExported} / ${p.filesPlanned}`],
      ['MB exported', `${mb(p.bytesExported)} / ${mb(p.bytesPlanned)}`]];
  rows.push(['objects retried', p.retries ?? 0]);
  if (p.concurrency) rows.push(['requests in flight', `${p.concurrency.limit} of ${p.concurrency.max}`]);
  return `**${job}** — ${p.phase}\n\n| | |\n|---|---|\n${rows.map(([name, value]) => `| ${name} | ${value} |`).join('\n')}`;
}
