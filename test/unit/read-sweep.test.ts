/**
 * Read folders abandoned in the dataset store (tables/read-to-store.ts): a read whose CLI died
 * before removing its copy is removed by a later read once it is a day old, and nothing else is.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localBackend } from '../../datasets/local-backend';
import { ABANDONED_READ_MS, sweepAbandonedReads } from '../../tables/read-to-store';
import { tempDir } from '../harness/temp-dir';

describe('abandoned reads in the dataset store', () => {
  it('removes the read folders whose write began over a day ago, and keeps recent, unnamed and kept ones', async () => {
    const root = tempDir('read-sweep-');
    const now = Date.now();
    const folder = (name: string, child: string) => {
      mkdirSync(join(root, '_reads', name, child, 'ab'), { recursive: true });
      writeFileSync(join(root, '_reads', name, child, 'ab', 'blob'), 'rows');
    };
    folder('readTable%2Fold%2F1', String(now - ABANDONED_READ_MS - 1000));
    folder('readTable%2Frecent%2F2', String(now - ABANDONED_READ_MS + 60_000));
    folder('readTable%2Fmine%2F3', String(now - ABANDONED_READ_MS - 1000));
    folder('someone-else', 'not-a-time');
    mkdirSync(join(root, '_reads', 'readTable%2Fstarting%2F4'), { recursive: true });
    const removed = await sweepAbandonedReads(localBackend(root), now, '_reads/readTable%2Fmine%2F3');
    expect(removed).toEqual(['readTable%2Fold%2F1']);
    expect(readdirSync(join(root, '_reads')).sort()).toEqual(['readTable%2Fmine%2F3', 'readTable%2Frecent%2F2', 'readTable%2Fstarting%2F4', 'someone-else']);
  });

  it('finds nothing to do in a store without reads', async () => {
    expect(await sweepAbandonedReads(localBackend(tempDir('read-sweep-empty-')), Date.now())).toEqual([]);
  });
});
