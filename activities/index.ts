/**
 * The worker's activities, built by a factory over injected clients. Workflows import only
 * the type `ConnectorActivities`.
 */
import { checkPermissions, type CheckResult } from './check';
import { explorePage, type ExploreEntry, type ExplorePage, type ExploreRequest } from './explore';
import { withFailureMapping } from './failures';
import type { SourceRegistry } from './source-registry';
import { previewObject, type PreviewResult } from '../preview/preview';

/** What activities need from the outside world. */
export interface ActivityDeps {
  sources: SourceRegistry;
}

/** Builds the activities. Each takes names and cursors, never secrets or object bytes. */
export function createActivities({ sources }: ActivityDeps) {
  return {
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
