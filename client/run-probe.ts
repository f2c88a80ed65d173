/**
 * Runs probes (check, explore page, preview) either as short workflows on a worker (the
 * default: only workers hold credentials) or, with --direct, in this process.
 */
import { randomUUID } from 'node:crypto';
import { createActivities, type CheckResult, type ExplorePage, type ExploreRequest, type PreviewResult } from '../activities';
import { createSourceRegistry } from '../s3/source-registry';
import type { ConnectorConfig } from '../config/schema';
import { SEARCH_ATTRIBUTE_KEYS, workflowId } from '../shared/temporal-contract';
import { checkSource, exploreSource, previewSource } from '../workflows';
import { UsageError, type GlobalOptions } from './context';
import { workerClient } from './worker-presence';

/** Executes probes one way or the other; close it once at the end. */
export interface ProbeRunner {
  check(source: string): Promise<CheckResult>;
  explore(source: string, request: ExploreRequest): Promise<ExplorePage>;
  preview(source: string, path: string, limit: number): Promise<PreviewResult>;
  close(): Promise<void>;
}

/** Creates a runner for `config`. */
export async function probeRunner(config: ConnectorConfig, options: GlobalOptions & { direct?: boolean }): Promise<ProbeRunner> {
  const retriesOf = (name: string) => {
    const source = config.sources[name];
    if (!source) throw new UsageError(`source "${name}" is not in the config. Fix: use one of ${Object.keys(config.sources).join(', ') || '(none: add one under sources:)'}.`);
    return source.maxErrorRetries;
  };
  if (options.direct) {
    // In-process: each request is retried by the SDK; no Temporal retry policy wraps the call.
    const activities = createActivities({ sources: createSourceRegistry(config) });
    return {
      check: (source) => (retriesOf(source), activities.checkSource(source)),
      explore: (source, request) => (retriesOf(source), activities.exploreSource(source, request)),
      preview: (source, path, limit) => (retriesOf(source), activities.previewSource(source, path, limit)),
      close: async () => {},
    };
  }
  const { client, close } = await workerClient(options);
  const start = (type: 'checkSource' | 'exploreSource' | 'previewSource', source: string) => ({
    taskQueue: options.taskQueue,
    workflowId: workflowId(type, source, randomUUID()),
    workflowExecutionTimeout: '10 minutes' as const,
    typedSearchAttributes: [{ key: SEARCH_ATTRIBUTE_KEYS.source, value: source }],
  });
  const input = (source: string) => ({ source, maxErrorRetries: retriesOf(source) });
  return {
    check: (source) => client.workflow.execute(checkSource, { ...start('checkSource', source), args: [input(source)] }),
    explore: (source, request) => client.workflow.execute(exploreSource, { ...start('exploreSource', source), args: [{ ...input(source), request }] }),
    preview: (source, path, limit) => client.workflow.execute(previewSource, { ...start('previewSource', source), args: [{ ...input(source), path, limit }] }),
    close,
  };
}
