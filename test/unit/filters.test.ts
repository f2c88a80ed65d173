import { objectFilter } from '../../syncs/filters';
import type { SyncJob } from '../../jobs/job';
import type { ListedObject } from '../../s3/list';

const now = Date.parse('2026-06-01T12:00:00Z');
const spec = (filters: Partial<SyncJob['filters']>): Pick<SyncJob, 'filters' | 'listPrefix'> => ({
  listPrefix: 'in/orders/',
  filters: { include: [], exclude: [], minAgeSeconds: 0, ...filters },
});
const obj = (key: string, size = 10, lastModified = '2026-06-01T11:00:00.000Z'): ListedObject => ({ key, size, lastModified, etag: '"e"' });

describe('sync filters', () => {
  it('match include and exclude globs against the path below the subfolder', () => {
    const f = objectFilter(spec({ include: ['**/*.csv'], exclude: ['tmp/**'] }), now);
    expect(f(obj('in/orders/2026/a.csv'))).toBeUndefined();
    expect(f(obj('in/orders/a.csv'))).toBeUndefined();
    expect(f(obj('in/orders/a.json'))).toEqual({ reason: 'not matched by filters.include' });
    expect(f(obj('in/orders/tmp/a.csv'))).toEqual({ reason: 'matched by filters.exclude' });
  });

  it('skip objects not modified after lastModifiedAfter, outside the size bounds, or younger than minAgeSeconds', () => {
    const f = objectFilter(spec({ lastModifiedAfter: new Date('2026-06-01T10:00:00Z'), minSizeBytes: 5, maxSizeBytes: 100, minAgeSeconds: 600 }), now);
    expect(f(obj('in/orders/ok.csv'))).toBeUndefined();
    expect(f(obj('in/orders/old.csv', 10, '2026-06-01T10:00:00.000Z'))).toEqual({ reason: 'not modified after filters.lastModifiedAfter' });
    expect(f(obj('in/orders/small.csv', 4))).toEqual({ reason: 'smaller than filters.minSizeBytes' });
    expect(f(obj('in/orders/big.csv', 101))).toEqual({ reason: 'larger than filters.maxSizeBytes' });
    expect(f(obj('in/orders/new.csv', 10, '2026-06-01T11:55:00.000Z'))).toEqual({ reason: 'younger than filters.minAgeSeconds (may still be written)' });
  });

  it('never lands folder markers: an empty one is skipped silently, one holding bytes with a reason naming its size', () => {
    const f = objectFilter(spec({ include: ['**/*.csv'] }), now);
    expect(f(obj('in/orders/sub/', 0))).toEqual({ reason: 'empty folder marker', silent: true });
    expect(f(obj('in/orders/', 0))).toEqual({ reason: 'empty folder marker', silent: true });
    // Before the other filters: the include glob would otherwise give a misleading reason.
    expect(f(obj('in/orders/sub/', 12))).toEqual({
      reason: 'folder marker holding 12 bytes: a key ending in "/" cannot be a file path in the dataset; rename the object without the trailing "/" to land it',
    });
    expect(f(obj('in/orders/', 1))!.reason).toMatch(/^folder marker holding 1 byte: /);
  });
});
