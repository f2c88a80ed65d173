import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { localBackend, removeStaleIncoming, STALE_INCOMING_MS } from '../../datasets/local-backend';

/** Waits until `check` holds, up to 5 s. */
async function eventually(check: () => boolean): Promise<void> {
  for (const start = Date.now(); !check(); await new Promise((ok) => setTimeout(ok, 20))) {
    if (Date.now() - start > 5000) throw new Error('timed out');
  }
}

describe('unfinished incoming blobs of a killed worker', () => {
  let root: string;
  beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'incoming-')); });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Leaves `incoming.tmp-<name>` in `dir`, last written `ageMs` ago. */
  const leave = (dir: string, name: string, ageMs: number) => {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `incoming.tmp-${name}`);
    writeFileSync(file, 'half a blob');
    const at = (Date.now() - ageMs) / 1000;
    utimesSync(file, at, at);
    return file;
  };

  it('removes only incoming.tmp-* files older than the given time', async () => {
    const dir = join(root, 'blobs');
    const old = leave(dir, 'old', STALE_INCOMING_MS + 60_000);
    const fresh = leave(dir, 'fresh', 1000);
    writeFileSync(join(dir, 'other.tmp-x'), 'not an incoming blob');
    expect(await removeStaleIncoming(dir, Date.now() - STALE_INCOMING_MS)).toEqual(['incoming.tmp-old']);
    expect([existsSync(old), existsSync(fresh), existsSync(join(dir, 'other.tmp-x'))]).toEqual([false, true, true]);
    expect(await removeStaleIncoming(join(root, 'absent'), Date.now())).toEqual([]);
  });

  it('are removed by the next ingest into their folder once stale, small or streamed, and a live one is left alone', async () => {
    const store = localBackend(root);
    const dir = join(root, 'ds', 'blobs');
    const old = leave(dir, 'dead-worker', STALE_INCOMING_MS + 60_000);
    const live = leave(dir, 'live-worker', 10_000);
    const blob = await store.ingest('ds/blobs', Readable.from([Buffer.from('small')]), { sizeHint: 5 });
    expect(existsSync(join(root, ...blob.path.split('/')))).toBe(true);
    await eventually(() => !existsSync(old));
    expect(existsSync(live)).toBe(true);
    // A streamed ingest (no size hint) into another folder sweeps that folder too.
    const other = leave(join(root, 'ds2', 'blobs'), 'dead', STALE_INCOMING_MS + 60_000);
    await store.ingest('ds2/blobs', Readable.from([Buffer.alloc(2 * 1024 * 1024, 1)]));
    await eventually(() => !existsSync(other));
  });
});
