/**
 * `tables read --since V [--until W]`: a Delta table's range of versions (Change Data Feed) or an
 * Iceberg table's range of snapshots (its appends). The options are kept as text until the
 * table's format is known, since an Iceberg snapshot id is 64-bit and a JS number would round it.
 */
import { InvalidArgumentError } from 'commander';
import { UsageError } from './context';

/** A commander parser of --since and --until: whole-number text, kept exact. */
export function wholeNumberText(value: string): string {
  const text = value.trim();
  if (!/^-?\d{1,19}$/.test(text)) throw new InvalidArgumentError('must be a whole number: a Delta version, or an Iceberg snapshot id (tables history lists them).');
  return text;
}

/** The read request's range fields: `since`/`until` (Delta versions) or `sinceSnapshot`/`untilSnapshot` (Iceberg ids, exact text). */
export interface SinceRange {
  since?: number;
  until?: number;
  sinceSnapshot?: string;
  untilSnapshot?: string;
}

/** The range of `--since`/`--until` for a table of `format` named `name`; nothing when --since is not given. */
export function sinceRangeOf(format: string, name: string, since: string | undefined, until: string | undefined): SinceRange {
  if (since === undefined) return {};
  if (format === 'iceberg') {
    return { sinceSnapshot: since, ...(until !== undefined ? { untilSnapshot: until } : {}) };
  }
  const version = (text: string, option: string): number => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`tables read: ${option} ${text} is not a version of Delta table ${name}: it must be a whole number of at least 0.`);
    return n;
  };
  const from = version(since, '--since');
  const to = until === undefined ? undefined : version(until, '--until');
  if (to !== undefined && to < from) throw new UsageError(`tables read: --until ${to} is before --since ${from}.`);
  return { since: from, ...(to !== undefined ? { until: to } : {}) };
}
