/**
 * The sync filters (docs/config.md): include/exclude globs on the path below the subfolder,
 * lastModifiedAfter, min/max size and minAgeSeconds. Pure.
 */
import picomatch from 'picomatch';
import type { ListedObject } from '../s3/list';
import type { SyncJob } from '../jobs/job';

/**
 * Why an object is not copied, or undefined when it passes. A `silent` skip is not data at all
 * (an empty folder marker): it is neither reported nor counted in filesSkipped.
 */
export type FilterVerdict = undefined | { reason: string; silent?: true };

/** The verdict on an empty `dir/` key: what consoles create to show a folder; not data. */
export const EMPTY_FOLDER_MARKER: FilterVerdict = { reason: 'empty folder marker', silent: true };

/**
 * The reason a `dir/` key holding bytes is skipped. Its dataset path would end in `/`: a
 * folder's name, under which other files of the dataset may lie (`dir/` and `dir/a.csv` both
 * listed), so a reader that makes files of paths could not hold both, and an export drops the
 * trailing `/` (exports/target.ts), so `dir/` would take the key of a file `dir`. It is data, so
 * it is reported, counted, and left for the owner to rename.
 */
export function folderMarkerReason(size: number): string {
  return `folder marker holding ${size} byte${size === 1 ? '' : 's'}: a key ending in "/" cannot be a file path in the dataset; `
    + 'rename the object without the trailing "/" to land it';
}

/** Builds the filter of a sync; `now` is the run's reference time (ms). */
export function objectFilter(spec: Pick<SyncJob, 'filters' | 'listPrefix'>, now: number): (object: ListedObject) => FilterVerdict {
  const f = spec.filters;
  const include = f.include.length ? picomatch(f.include, { dot: true }) : undefined;
  const exclude = f.exclude.length ? picomatch(f.exclude, { dot: true }) : undefined;
  const after = f.lastModifiedAfter?.getTime();
  return (o) => {
    if (o.key.endsWith('/')) return o.size === 0 ? EMPTY_FOLDER_MARKER : { reason: folderMarkerReason(o.size) };
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

/**
 * In a `clientKms` source, `<key>.instruction` objects are the S3 Encryption Client's envelopes
 * of other objects (read with them, crypto/instruction-file.ts), not data: skipped and reported.
 */
export function withInstructionFiles(filter: (object: ListedObject) => FilterVerdict, encrypted: boolean): (object: ListedObject) => FilterVerdict {
  if (!encrypted) return filter;
  return (o) => o.key.endsWith('.instruction')
    ? { reason: 'instruction file of the S3 Encryption Client: the envelope of the object beside it, read with that object' }
    : filter(o);
}
