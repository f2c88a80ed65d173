/**
 * Runs probes (check, explore page, preview) either as short workflows on a worker (the
 * default: only workers hold credentials) or, with --direct, in this process.
 */
import { randomUUID } from 'node:crypto';
import { createActivities, type CheckResult, type ExplorePage, type ExploreRequest, type PreviewResult } from '../activities';
import { createSourceRegistry } from '../activities/source-registry';
import type { ConnectorConfig } from '../config/schema';
import { workflowId, type WorkflowType } from '../shared/temporal-names';
import { temporalClient, UsageError, type GlobalOptions } from './context';

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
    // In-process: the SDK is the retry layer here, since no Temporal retry policy wraps the call.
    const activities = createActivities({ sources: createSourceRegistry(config, 'sdk') });
    return {
      check: (source) => (retriesOf(source), activities.checkSource(source)),
      explore: (source, request) => (retriesOf(source), activities.exploreSource(source, request)),
      preview: (source, path, limit) => (retriesOf(source), activities.previewSource(source, path, limit)),
      close: async () => {},
    };
  }
  const { client, close } = await temporalClient(options);
  const execute = <T>(type: WorkflowType, source: string, extra: object): Promise<T> =>
    client.workflow.execute(type, {
      taskQueue: options.taskQueue,
      workflowId: workflowId(type, source, randomUUID()),
      args: [{ source, maxErrorRetries: retriesOf(source), ...extra }],
      workflowExecutionTimeout: '10 minutes',
      searchAttributes: { ConnectorSource: [source] },
    }) as Promise<T>;
  return {
    check: (source) => execute('checkSource', source, {}),
    explore: (source, request) => execute('exploreSource', source, { request }),
    preview: (source, path, limit) => execute('previewSource', source, { path, limit }),
    close,
  };
}
