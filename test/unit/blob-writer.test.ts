import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { THREAD_BYTES_IN_FLIGHT, writeWholeBlob } from '../../datasets/blob-threads';
import { BLOB_BATCH_BYTES, BlobWriter } from '../../datasets/blob-writer';
import { crc64nvmeHex, crc64nvmeStart, crc64nvmeTables, crc64nvmeUpdate } from '../../datasets/crc64nvme';
import { socketChunks } from '../harness/socket-chunks';

/** CRC-64/NVME on this thread, to compare with the writing thread's. */
function crc64(data: Uint8Array): string {
  const register = crc64nvmeStart();
  crc64nvmeUpdate(crc64nvmeTables(), register, data);
  return crc64nvmeHex(register);
}

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'blob-writer-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** File descriptors this process has open on files below `dir`. */
function openFilesBelow(folder: string): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith(folder) ? [target] : [];
    } catch {
      return [];
    }
  });
}

describe('writing a blob on a thread', () => {
  it('writes every byte in order and returns SHA-256, MD5, CRC32, CRC-64/NVME and the size of what was written', async () => {
    // Several times the bytes in flight, so the body waits for acks again and again.
    const data = randomBytes(THREAD_BYTES_IN_FLIGHT * 5 + 12_345);
    const path = join(dir, 'blob');
    let counted = 0;
    const writer = new BlobWriter(path, { md5: true, crc32: true, crc64nvme: true }, (n) => { counted += n; });
    await pipeline(socketChunks(data), writer);
    expect(readFileSync(path).equals(data)).toBe(true);
    expect(writer.digests()).toEqual({
      sha256: createHash('sha256').update(data).digest('hex'),
      md5: createHash('md5').update(data).digest('hex'),
      crc32: crc32(data).toString(16).padStart(8, '0'),
      crc64nvme: crc64(data),
      size: data.length,
    });
    expect(counted).toBe(data.length);
    expect(openFilesBelow(dir)).toEqual([]);
  });

  it('computes only the digests asked for, and creates the missing folder of the file', async () => {
    const data = randomBytes(70_000);
    const path = join(dir, 'a', 'b', 'blob');
    const writer = new BlobWriter(path);
    await pipeline(socketChunks(data), writer);
    expect(writer.digests()).toEqual({ sha256: createHash('sha256').update(data).digest('hex'), md5: undefined, crc32: undefined, size: data.length });
    expect(readFileSync(path).equals(data)).toBe(true);
  });

  it('copies the chunks written unless told they are its own, then moves whole buffers and copies views', async () => {
    const ownChunk = () => randomFillSync(Buffer.from(new ArrayBuffer(100_000)));
    const kept = [ownChunk(), ownChunk()];
    const keptCopy = Buffer.concat(kept);
    await pipeline(Readable.from(kept), new BlobWriter(join(dir, 'copied')));
    expect(Buffer.concat(kept).equals(keptCopy)).toBe(true);

    const whole = ownChunk();
    const shared = ownChunk();
    const view = shared.subarray(10, 50_010);
    const expected = Buffer.concat([whole, view]);
    const writer = new BlobWriter(join(dir, 'moved'), { moveChunks: true });
    await pipeline(Readable.from([whole, view]), writer);
    expect(readFileSync(join(dir, 'moved')).equals(expected)).toBe(true);
    expect(writer.digests().sha256).toBe(createHash('sha256').update(expected).digest('hex'));
    expect(whole.length).toBe(0); // moved: detached here
    expect(view.length).toBe(50_000); // a view of a larger buffer: copied
  });

  it('writes several blobs at once without mixing their bytes', async () => {
    const bodies = Array.from({ length: 6 }, (_, i) => randomBytes(BLOB_BATCH_BYTES * 5 + i * 1000));
    const writers = bodies.map((_, i) => new BlobWriter(join(dir, `blob-${i}`)));
    await Promise.all(bodies.map((body, i) => pipeline(socketChunks(body), writers[i]!)));
    bodies.forEach((body, i) => {
      expect(readFileSync(join(dir, `blob-${i}`)).equals(body)).toBe(true);
      expect(writers[i]!.digests().sha256).toBe(createHash('sha256').update(body).digest('hex'));
    });
  });

  it('fails with the body when it is cut mid-way, closes the file and gives no digests', async () => {
    const failing = Readable.from((async function* () {
      yield randomBytes(BLOB_BATCH_BYTES * 2 + 1);
      throw new Error('connection reset mid-body');
    })());
    const writer = new BlobWriter(join(dir, 'blob'));
    await expect(pipeline(failing, writer)).rejects.toThrow('connection reset mid-body');
    expect(() => writer.digests()).toThrow('before the blob was finished');
    expect(openFilesBelow(dir)).toEqual([]);
  });

  it('fails with the file system error when the file cannot be written', async () => {
    // A file where the folder should be: opening fails with ENOTDIR on the thread.
    writeFileSync(join(dir, 'not-a-folder'), 'x');
    const writer = new BlobWriter(join(dir, 'not-a-folder', 'blob'));
    await expect(pipeline(socketChunks(randomBytes(BLOB_BATCH_BYTES * 3)), writer)).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(existsSync(join(dir, 'not-a-folder', 'blob'))).toBe(false);
  });

  it('stores a whole small blob under its SHA-256 and moves its buffer only when told to', async () => {
    const data = randomFillSync(Buffer.from(new ArrayBuffer(5000)));
    const copy = Buffer.from(data);
    const sha256 = createHash('sha256').update(copy).digest('hex');
    const kept = await writeWholeBlob(join(dir, 'blobs'), data, { crc32: true });
    expect(kept).toEqual({ sha256, md5: undefined, crc32: crc32(copy).toString(16).padStart(8, '0'), size: 5000 });
    expect(data.equals(copy)).toBe(true);
    expect(readFileSync(join(dir, 'blobs', sha256.slice(0, 2), sha256)).equals(copy)).toBe(true);
    const moved = await writeWholeBlob(join(dir, 'blobs'), data, { md5: true, moveChunks: true });
    expect(moved).toMatchObject({ sha256, md5: createHash('md5').update(copy).digest('hex'), size: 5000 });
    expect(data.length).toBe(0);
  });
});
