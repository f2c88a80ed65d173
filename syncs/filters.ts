/**
 * The sync filters (docs/config.md): include/exclude globs on the path below the subfolder,
 * lastModifiedAfter, min/max size and minAgeSeconds. Pure.
 */
import picomatch from 'picomatch';
import type { ListedObject } from '../s3/list';
import type { SyncJob } from '../jobs/job';

/** Why an object is not copied, or undefined when it passes. */
export type FilterVerdict = undefined | { reason: string };

/** Builds the filter of a sync; `now` is the run's reference time (ms). */
export function objectFilter(spec: Pick<SyncJob, 'filters' | 'listPrefix'>, now: number): (object: ListedObject) => FilterVerdict {
  const f = spec.filters;
  const include = f.include.length ? picomatch(f.include, { dot: true }) : undefined;
  const exclude = f.exclude.length ? picomatch(f.exclude, { dot: true }) : undefined;
  const after = f.lastModifiedAfter?.getTime();
  return (o) => {
    if (o.key.endsWith('/')) return { reason: 'folder marker' };
    const below = o.key.slice(spec.listPrefix.length).replace(/^\//, '');
    if (include && !include(below)) return { reason: 'not matched by filters.include' };
    if (exclude?.(below)) return { reason: 'matched by filters.exclude' };
    const modified = Date.parse(o.lastModified);
    if (after !== undefined && !(modified > after)) return { reason: 'not modified after filters.lastModifiedAfter' };
    if (f.minSizeBytes !== undefined && o.size < f.minSizeBytes) return { reason: 'smaller than filters.minSizeBytes' };
    if (f.maxSizeBytes !== undefined && o.size > f.maxSizeBytes) return { reason: 'larger than filters.maxSizeBytes' };
    if (f.minAgeSeconds > 0 && now - modified < f.minAgeSeconds * 1000) return { reason: 'younger than filters.minAgeSeconds (may still be written)' };
    return undefined;
  };
}
