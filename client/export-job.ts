/**
 * Starting an export job's workflow: `fileExport/<job>` with names-only input and the job's
 * search attributes, like sync jobs (see start-job.ts).
 */
import type { ConnectorConfig } from '../config/schema';
import { workflowId } from '../shared/temporal-names';
import { UsageError } from './context';
import { SEARCH_ATTRIBUTE_KEYS, type JobWorkflow } from './start-job';

/**
 * Resolves export job `job` of `config` into its workflow start.
 * @throws UsageError naming the known export jobs when `job` is not one.
 */
export function exportWorkflow(config: ConnectorConfig, job: string): JobWorkflow {
  const exp = config.exports[job];
  if (!exp) {
    const known = Object.keys(config.exports).join(', ') || '(none: add one under exports:)';
    const what = job in config.syncs ? `"${job}" is a sync, not an export: run it with \`s3-connector sync ${job}\`.` : `export job "${job}" is not in the config.`;
    throw new UsageError(`${what} Fix: use one of the export jobs: ${known}.`);
  }
  const maxErrorRetries = config.sources[exp.source]?.maxErrorRetries ?? 3;
  return {
    job, type: 'fileExport', workflowId: workflowId('fileExport', job),
    args: [{ job, source: exp.source, dataset: exp.dataset, maxErrorRetries }],
    searchAttributes: [
      { key: SEARCH_ATTRIBUTE_KEYS.job, value: job },
      { key: SEARCH_ATTRIBUTE_KEYS.source, value: exp.source },
      { key: SEARCH_ATTRIBUTE_KEYS.dataset, value: exp.dataset },
    ],
  };
}
