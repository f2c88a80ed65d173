import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { crc64nvmeHex, crc64nvmeStart, crc64nvmeTables, crc64nvmeUpdate } from '../../datasets/crc64nvme';
import { digestsOf, hashing } from '../../datasets/hashing-stream';
import { socketChunks } from '../harness/socket-chunks';

const expected = (data: Buffer) => ({
  sha256: createHash('sha256').update(data).digest('hex'),
  md5: createHash('md5').update(data).digest('hex'),
  crc32: crc32(data).toString(16).padStart(8, '0'),
  size: data.length,
});

async function drain(stream: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(stream, new Writable({ write(chunk: Buffer, _e, done) { out.push(chunk); done(); } }));
  return Buffer.concat(out);
}

describe('one hashing pass over a body', () => {
  it('computes SHA-256, MD5, CRC32 and CRC-64/NVME (as S3 checksums them) and the size, and passes every byte through in order', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 12_345);
    const h = hashing(socketChunks(data), undefined, true, { crc32: true, crc64nvme: true });
    expect((await drain(h.stream)).equals(data)).toBe(true);
    const register = crc64nvmeStart();
    crc64nvmeUpdate(crc64nvmeTables(), register, data);
    expect(h.digests()).toEqual({ ...expected(data), crc64nvme: crc64nvmeHex(register) });
    expect(digestsOf(data, true, true)).toEqual(expected(data));
  });

  it('computes only the digests asked for', async () => {
    const data = randomBytes(70_000);
    const h = hashing(socketChunks(data), undefined, false);
    await drain(h.stream);
    expect(h.digests()).toEqual({ sha256: expected(data).sha256, md5: undefined, crc32: undefined, size: data.length });
  });

  it('fails with the source and gives no digests when the body is cut mid-way', async () => {
    const failing = Readable.from((async function* () {
      yield randomBytes(1000);
      throw new Error('connection reset mid-body');
    })());
    const h = hashing(failing);
    await expect(drain(h.stream)).rejects.toThrow('connection reset mid-body');
    expect(() => h.digests()).toThrow('before the stream ended');
  });
});
