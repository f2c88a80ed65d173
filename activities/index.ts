/**
 * The worker's activities, built by a factory over injected clients. Workflows import only
 * the type `ConnectorActivities`.
 */
import { checkPermissions, type CheckResult } from './check';
import { explorePage, type ExploreEntry, type ExplorePage, type ExploreRequest } from './explore';
import { withFailureMapping, withLiveness } from './failures';
import type { SourceRegistry } from './source-registry';
import { previewObject, type PreviewResult } from '../preview/preview';
import type { ConnectorConfig } from '../config/schema';
import type { StoreBackend } from '../datasets/backend';
import { commitRun, startRun, type CommitInput } from '../syncs/commit-run';
import { copyPage, type CopyPageInput } from '../syncs/copy-page';
import { planPage, type PlanPageInput } from '../syncs/plan-page';
import { exportActivities } from '../exports/activities';

/** What activities need from the outside world. The store is opened lazily: probes never need it. */
export interface ActivityDeps {
  sources: SourceRegistry;
  config?: ConnectorConfig;
  store?: () => StoreBackend;
}

/** Builds the activities. Each takes names and cursors, never secrets or object bytes. */
export function createActivities({ sources, config, store }: ActivityDeps) {
  const sync = () => {
    if (!config || !store) throw new Error('this worker was built without a dataset store; sync activities cannot run on it.');
    return { config, sources, store: store() };
  };
  return {
    /** Dataset exports to S3 (see exports/). */
    ...exportActivities(sync),
    /** Finds where an incremental run starts (see syncs/commit-run.ts). */
    syncStartRun: (job: string) => withFailureMapping(() => withLiveness(() => startRun(sync(), job))),
    /** Lists and plans one page (see syncs/plan-page.ts). */
    syncPlanPage: (input: PlanPageInput) => withFailureMapping(() => withLiveness(() => planPage(sync(), input))),
    /** Copies one planned page, heartbeating (see syncs/copy-page.ts). */
    syncCopyPage: (input: CopyPageInput) => withFailureMapping(() => copyPage(sync(), input)),
    /** Commits the run as one transaction (see syncs/commit-run.ts). */
    syncCommitRun: (input: CommitInput) => withFailureMapping(() => withLiveness(() => commitRun(sync(), input))),
    /** Probes the source's permissions (see check.ts). */
    checkSource: (source: string): Promise<CheckResult> =>
      withFailureMapping(() => checkPermissions(sources.get(source))),
    /** Lists one page of folders and files below a path. */
    exploreSource: (source: string, request: ExploreRequest): Promise<ExplorePage> =>
      withFailureMapping(() => explorePage(sources.get(source), request)),
    /** The first rows or the media type of one object. */
    previewSource: (source: string, path: string, limit: number): Promise<PreviewResult> =>
      withFailureMapping(() => previewObject(sources.get(source), path, limit)),
  };
}

/** The activity interface, for `proxyActivities<ConnectorActivities>()`. */
export type ConnectorActivities = ReturnType<typeof createActivities>;
export type { CheckResult, ExploreEntry, ExplorePage, ExploreRequest, PreviewResult };
