import { decidePage, mergeSorted, type IndexEntry } from '../../syncs/incremental-index';
import { compareKeys } from '../../syncs/key-order';
import type { ListedObject } from '../../s3/list';

const obj = (key: string, etag: string, lastModified = '2026-01-01T00:00:00.000Z'): ListedObject => ({ key, etag, size: 1, lastModified });
const entry = (key: string, etag: string): IndexEntry => ({ key, etag, size: 1, lastModified: '2026-01-01T00:00:00.000Z' });
const pass = () => undefined;

describe('incremental index merge', () => {
  it('copies new keys and changed ETags, keeps unchanged ones, whatever their timestamps', () => {
    const decision = decidePage(
      [obj('a', '1'), obj('b', '2', '2020-01-01T00:00:00.000Z'), obj('c', '3x'), obj('d', '4')],
      [entry('a', '1'), entry('c', '3')],
      pass,
    );
    expect(decision.toCopy.map((c) => [c.key, c.change])).toEqual([['b', 'new'], ['c', 'changed'], ['d', 'new']]);
    expect(decision.keep.map((e) => e.key)).toEqual(['a']);
  });

  it('keeps index entries of keys deleted from the bucket, since incremental runs do not propagate deletions', () => {
    const decision = decidePage([obj('b', '2')], [entry('a', '1'), entry('c', '3')], pass);
    expect(decision.keep.map((e) => e.key)).toEqual(['a', 'c']);
    expect(decision.toCopy.map((c) => c.key)).toEqual(['b']);
  });

  it('records filtered objects as skipped, except silent verdicts (empty folder markers), and keeps their old entries', () => {
    const filter = (o: ListedObject) => (o.key === 'dir/' ? { reason: 'empty folder marker', silent: true as const }
      : o.key === 'full/' ? { reason: 'folder marker holding 1 byte' } : o.key.endsWith('.tmp') ? { reason: 'excluded' } : undefined);
    const decision = decidePage([obj('dir/', 'x'), obj('full/', 'f'), obj('x.tmp', 'new'), obj('y.tmp', '1')], [entry('y.tmp', '0')], filter);
    expect(decision.skipped).toEqual([{ key: 'full/', reason: 'folder marker holding 1 byte' }, { key: 'x.tmp', reason: 'excluded' }]);
    expect(decision.keep).toEqual([entry('y.tmp', '0')]);
    expect(decision.toCopy).toEqual([]);
  });

  it('orders keys by their UTF-8 bytes as S3 lists them, not by UTF-16 code units', () => {
    // U+FF5E (3 UTF-8 bytes, EF BD 9E) sorts before U+1F600 (4 bytes, F0 9F 98 80) in UTF-8,
    // but after it in UTF-16 (0xFF5E > 0xD83D).
    expect(compareKeys('\uFF5E', '😀')).toBeLessThan(0);
    expect('\uFF5E' < '😀').toBe(false);
    const decision = decidePage([obj('\uFF5E', '1'), obj('😀', '2')], [entry('\uFF5E', '1'), entry('😀', '2')], pass);
    expect(decision.toCopy).toEqual([]);
  });

  it('merges sorted entry lists, the newer entry winning on the same key', () => {
    expect(mergeSorted([entry('a', '1'), entry('c', '1')], [entry('b', '2'), entry('c', '2')])).toEqual([entry('a', '1'), entry('b', '2'), entry('c', '2')]);
  });
});
