import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { localBackend, SMALL_BLOB_BYTES } from '../../datasets/local-backend';
import { tempDir } from '../harness/temp-dir';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const chunked = (b: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size)));

describe('local store blob ingestion', () => {
  it('stores small bodies read whole and large bodies streamed at the same content address, with the same digests', async () => {
    const root = tempDir('blobs-');
    const store = localBackend(root);
    for (const size of [0, 4096, SMALL_BLOB_BYTES, SMALL_BLOB_BYTES + 1]) {
      const data = Buffer.from(Array.from({ length: size }, (_, i) => (i * 7919) % 251));
      const seen: number[] = [];
      const whole = await store.ingest('d/blobs', chunked(data, 1000), { onBytes: (n) => seen.push(n), sizeHint: size });
      const streamed = await store.ingest('d/blobs', chunked(data, 65536));
      expect(whole).toEqual({ path: `d/blobs/${sha(data).slice(0, 2)}/${sha(data)}`, sha256: sha(data), md5: md5(data), size });
      expect(streamed).toEqual(whole);
      expect(seen.reduce((a, b) => a + b, 0)).toBe(size);
      expect(readFileSync(join(root, whole.path)).equals(data)).toBe(true);
    }
  });

  it('skips MD5 when the caller has no single-part ETag to compare it with', async () => {
    const store = localBackend(tempDir('blobs-'));
    const data = Buffer.alloc(3 * SMALL_BLOB_BYTES, 9);
    for (const sizeHint of [100, undefined]) {
      const blob = await store.ingest('d/blobs', chunked(data.subarray(0, sizeHint ?? data.length), 65536), { sizeHint, md5: false });
      expect(blob.md5).toBeUndefined();
      expect(blob.sha256).toBe(sha(data.subarray(0, sizeHint ?? data.length)));
    }
  });

  it('refuses a body larger than announced and leaves no temporary file behind', async () => {
    const root = tempDir('blobs-');
    const store = localBackend(root);
    await expect(store.ingest('d/blobs', chunked(Buffer.alloc(5000, 1), 1000), { sizeHint: 3000 })).rejects.toThrow(/larger than the 3000 bytes announced/);
    const blobs = join(root, 'd', 'blobs');
    expect(existsSync(blobs) ? readdirSync(blobs, { recursive: true }).filter((n) => String(n).includes('.tmp-')) : []).toEqual([]);
  });

  it('replaces a truncated small blob left by a killed writer, and keeps a whole one', async () => {
    const root = tempDir('blobs-');
    const store = localBackend(root);
    const data = Buffer.from('the whole blob');
    const first = await store.ingest('d/blobs', Readable.from([data]), { sizeHint: data.length });
    writeFileSync(join(root, first.path), '');
    const again = await store.ingest('d/blobs', Readable.from([data]), { sizeHint: data.length });
    expect(again).toEqual(first);
    expect(readFileSync(join(root, first.path)).equals(data)).toBe(true);
    await store.ingest('d/blobs', Readable.from([data]), { sizeHint: data.length });
    expect(readdirSync(join(root, 'd', 'blobs', first.sha256.slice(0, 2)))).toEqual([first.sha256]);
  });

  it('creates a blob folder again when another process removed it after this one created it', async () => {
    const root = tempDir('blobs-');
    const store = localBackend(root);
    await store.write('d/runs/r1/plan.json', '{}');
    await localBackend(root).remove('d/runs');
    await store.write('d/runs/r1/plan.json', '{"again":true}');
    expect((await store.read('d/runs/r1/plan.json'))!.toString()).toBe('{"again":true}');
  });
});
