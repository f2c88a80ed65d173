import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { hashing } from '../../datasets/hashing-stream';
import { HASH_BATCH_BYTES } from '../../datasets/hash-pool';

const expected = (data: Buffer) => ({
  sha256: createHash('sha256').update(data).digest('hex'),
  md5: createHash('md5').update(data).digest('hex'),
  crc32: crc32(data).toString(16).padStart(8, '0'),
  size: data.length,
});

/** Feeds `data` in chunks of random sizes (1 byte to 200 KiB), as a socket would. */
function chunked(data: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length;) {
    const n = Math.min(data.length - at, 1 + Math.floor(Math.random() * 200 * 1024));
    chunks.push(data.subarray(at, at + n));
    at += n;
  }
  return Readable.from(chunks);
}

async function drain(stream: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(stream, new Writable({ write(chunk: Buffer, _e, done) { out.push(chunk); done(); } }));
  return Buffer.concat(out);
}

describe('hashing on worker threads', () => {
  it('computes the same SHA-256, MD5, CRC32 and size as this thread, and passes every byte through in order', async () => {
    const data = randomBytes(5 * HASH_BATCH_BYTES + 12_345);
    const off = hashing(chunked(data), undefined, true, { crc32: true, offThread: true });
    const passed = await drain(off.stream);
    expect(passed.equals(data)).toBe(true);
    expect(off.digests()).toEqual(expected(data));
    const on = hashing(chunked(data), undefined, true, { crc32: true });
    await drain(on.stream);
    expect(on.digests()).toEqual(off.digests());
  });

  it('keeps the digests of many concurrent streams apart', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => randomBytes(i * 300_000 + 1));
    const results = await Promise.all(bodies.map(async (body) => {
      const h = hashing(chunked(body), undefined, false, { offThread: true });
      await drain(h.stream);
      return h.digests();
    }));
    results.forEach((r, i) => expect(r).toEqual({ sha256: expected(bodies[i]!).sha256, md5: undefined, crc32: undefined, size: bodies[i]!.length }));
  });

  it('reuses its shared batches, so hashing 256 MiB holds only a few MiB of them', async () => {
    const chunk = randomBytes(64 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const source = Readable.from((function* () {
      for (let i = 0; i < 4096; i++) {
        if (i % 256 === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
        yield chunk;
      }
    })());
    const h = hashing(source, undefined, true, { offThread: true });
    await pipeline(h.stream, new Writable({ write(_c, _e, done) { done(); } }));
    const whole = createHash('sha256');
    for (let i = 0; i < 4096; i++) whole.update(chunk);
    expect(h.digests().sha256).toBe(whole.digest('hex'));
    expect(peak).toBeLessThan(32 * 1024 * 1024);
  });

  it('hashes an empty body', async () => {
    const h = hashing(Readable.from([]), undefined, true, { offThread: true });
    await drain(h.stream);
    expect(h.digests()).toEqual({ ...expected(Buffer.alloc(0)), crc32: undefined });
  });

  it('fails a stream whose source fails mid-body, and hashes the next stream correctly', async () => {
    const data = randomBytes(3 * HASH_BATCH_BYTES);
    const failing = Readable.from((async function* () {
      yield data.subarray(0, 2 * HASH_BATCH_BYTES);
      throw new Error('connection reset mid-body');
    })());
    const h = hashing(failing, undefined, true, { offThread: true });
    await expect(drain(h.stream)).rejects.toThrow('connection reset mid-body');
    expect(() => h.digests()).toThrow('before the stream ended');
    const next = hashing(chunked(data), undefined, true, { offThread: true });
    await drain(next.stream);
    expect(next.digests()).toEqual({ ...expected(data), crc32: undefined });
  });
});
