import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { crc32cTables, crc32cUpdate } from '../../datasets/crc32c';
import { Digester, flagsOf, type PartAlgorithm } from '../../datasets/digests';
import { hashing } from '../../datasets/hashing-stream';
import { localBackend, SMALL_BLOB_BYTES } from '../../datasets/local-backend';
import { etagParts, multipartEtagHex, parseStoredChecksum } from '../../s3/checksums';
import { sameLayout } from '../../s3/part-layout';
import { socketChunks } from '../harness/socket-chunks';

/** A part's digest, raw, as S3 concatenates them (CRCs big-endian). */
function raw(algorithm: PartAlgorithm, data: Uint8Array): Buffer {
  const be = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };
  if (algorithm === 'crc32') return be(crc32(data));
  if (algorithm === 'crc32c') return be(crc32cUpdate(crc32cTables(), 0, data));
  return createHash(algorithm).update(data).digest();
}

/** The multipart ETag or composite checksum of `parts`, computed part by part from slices. */
function expectedOf(algorithm: PartAlgorithm, parts: Buffer[]): { algorithm: PartAlgorithm; count: number; digest: string } {
  return { algorithm, count: parts.length, digest: raw(algorithm, Buffer.concat(parts.map((p) => raw(algorithm, p)))).toString('hex') };
}

const cut = (data: Buffer, sizes: number[]) => {
  const parts: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const size = sizes[Math.min(i, sizes.length - 1)]!;
    parts.push(data.subarray(at, at + size));
    at += size;
  }
  return parts.length ? parts : [data];
};

describe('per-part digests (a multipart ETag, a composite checksum)', () => {
  it('digests each part and the parts\' digests, whatever the chunking, for every algorithm', () => {
    const data = randomBytes(3 * 65_536 + 1234);
    for (const algorithm of ['md5', 'crc32', 'crc32c', 'sha1', 'sha256'] as const) {
      for (const sizes of [[65_536], [100_000, 30_000, 70_000], [data.length], [data.length + 1]]) {
        const digester = new Digester(flagsOf(false, { parts: { algorithm, sizes } }));
        // Chunks of every size around the part boundaries: 1 byte, a part and more, exact ends.
        for (let at = 0, step = 1; at < data.length; at += step, step = (step * 7 + 13) % 150_000 || 1) digester.update(data.subarray(at, at + step));
        expect(digester.digests().parts).toEqual(expectedOf(algorithm, cut(data, sizes)));
      }
    }
  });

  it('ends a part exactly on its boundary (no empty part after it) and gives one empty part for an empty body', () => {
    const data = randomBytes(4 * 1000);
    const digester = new Digester(flagsOf(false, { parts: { algorithm: 'md5', sizes: [1000] } }));
    for (let at = 0; at < data.length; at += 1000) digester.update(data.subarray(at, at + 1000));
    expect(digester.digests().parts).toEqual(expectedOf('md5', cut(data, [1000])));
    const empty = new Digester(flagsOf(false, { parts: { algorithm: 'md5', sizes: [0] } })).digests();
    expect(empty.parts).toEqual(expectedOf('md5', [Buffer.alloc(0)]));
    expect(empty.parts?.digest).toBe(createHash('md5').update(createHash('md5').digest()).digest('hex'));
  });

  it('computes them on the main thread (hashing) as on a writing thread, for bodies read whole and streamed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'part-digests-'));
    try {
      const store = localBackend(root);
      for (const size of [5000, SMALL_BLOB_BYTES + 70_001]) {
        const data = randomBytes(size);
        const parts = { algorithm: 'crc32c' as const, sizes: [Math.ceil(size / 3)] };
        const expected = expectedOf('crc32c', cut(data, parts.sizes));
        const streamed = await store.ingest('d/blobs', socketChunks(data), { sizeHint: size, md5: false, parts });
        expect(streamed.parts).toEqual(expected);
        const onMain = hashing(Readable.from([data]), undefined, false, { parts });
        onMain.stream.resume();
        await finished(onMain.stream);
        expect(onMain.digests().parts).toEqual(expected);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('what an ETag and a checksum header say about parts', () => {
  it('reads the part count of multipart ETags (MD5-based or not), and the MD5 of the parts\' MD5s', () => {
    expect(etagParts('"95a11d271506ecd3ca06604eb330c00a-3"')).toBe(3);
    expect(multipartEtagHex('"95a11d271506ecd3ca06604eb330c00a-3"')).toBe('95a11d271506ecd3ca06604eb330c00a');
    expect(etagParts('"95a11d271506ecd3ca06604eb330c00a"')).toBeUndefined();
    expect(multipartEtagHex('"95a11d271506ecd3ca06604eb330c00a"')).toBeUndefined();
    // SSE-KMS multipart ETags keep `-<parts>`; their hex is not always 32 digits.
    expect(etagParts('"abcdef0123-12"')).toBe(12);
    expect(multipartEtagHex('"abcdef0123-12"')).toBeUndefined();
  });

  it('tells a composite checksum (`<base64>-<parts>`) from a full-object one', () => {
    expect(parseStoredChecksum('VmP3qA==-3')).toEqual({ hex: '5663f7a8', parts: 3 });
    expect(parseStoredChecksum('r0sbug==')).toEqual({ hex: 'af4b1bba', parts: undefined });
    expect(parseStoredChecksum(undefined)).toBeUndefined();
    expect(parseStoredChecksum('not a checksum')).toBeUndefined();
  });

  it('compares equal parts assumed with the sizes read', () => {
    expect(sameLayout({ count: 3, sizes: [10], exact: false }, [10, 10, 4])).toBe(true);
    expect(sameLayout({ count: 3, sizes: [10], exact: false }, [10, 6, 8])).toBe(false);
    expect(sameLayout({ count: 3, sizes: [10], exact: false }, [10, 10])).toBe(false);
  });
});
