import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileParts, partMd5, streamParts, type PartBytes } from '../../exports/part-sources';
import { FileRange } from '../../s3/request-body';
import { tempDir } from '../harness/temp-dir';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('base64');
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

async function bodyBytes(part: PartBytes): Promise<Buffer> {
  const body = part.body();
  if (Buffer.isBuffer(body)) return body;
  return readFileSync(body.path).subarray(body.start, body.start + body.length);
}

async function collect(parts: AsyncGenerator<PartBytes>): Promise<Array<PartBytes & { bytes: Buffer }>> {
  const out = [];
  for await (const part of parts) out.push({ ...part, bytes: await bodyBytes(part) });
  return out;
}

describe('multipart part sources', () => {
  // Larger than the 1 MiB read buffer, so a part takes several reads; not a multiple of the part size.
  const data = randomBytes(2 * 1024 * 1024 + 12345);
  const partSize = 1024 * 1024 + 7;
  const file = join(tempDir('part-sources-'), 'blob');
  writeFileSync(file, data);
  const expected = [0, 1, 2].map((i) => data.subarray(i * partSize, Math.min(data.length, (i + 1) * partSize)));

  it('reads a local file as parts by range, with the checksums of each part and of the whole file, holding no part in memory', async () => {
    const whole = createHash('sha256');
    const parts = await collect(fileParts(file, partSize, whole, () => true));
    expect(parts.map((p) => [p.n, p.size])).toEqual(expected.map((b, i) => [i + 1, b.length]));
    parts.forEach((p, i) => {
      expect(p.bytes.equals(expected[i]!)).toBe(true);
      expect(p.sha256).toBe(sha256(expected[i]!));
      expect(p.body()).toBeInstanceOf(FileRange); // the file range, read when sent, not a held buffer
    });
    expect(whole.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('gives the same parts from a local file as from a stream of it', async () => {
    const fromFile = await collect(fileParts(file, partSize, createHash('sha256'), () => true));
    const fromStream = await collect(streamParts(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), partSize, createHash('sha256'), () => true));
    expect(fromFile.map(({ n, size, sha256: s }) => ({ n, size, s }))).toEqual(fromStream.map(({ n, size, sha256: s }) => ({ n, size, s })));
  });

  it('skips the checksums of parts already uploaded but still hashes them into the whole file', async () => {
    for (const source of [
      (whole: ReturnType<typeof createHash>) => fileParts(file, partSize, whole, (n) => n !== 2),
      (whole: ReturnType<typeof createHash>) => streamParts(Readable.from([data]), partSize, whole, (n) => n !== 2),
    ]) {
      const whole = createHash('sha256');
      const parts = await collect(source(whole));
      expect(parts.map((p) => p.sha256 === undefined)).toEqual([false, true, false]);
      expect(whole.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });

  it('hashes a part\'s body with MD5 once more, from its file range or its buffer, for stores that return no checksum', async () => {
    const [fromFile, fromStream] = await Promise.all([
      collect(fileParts(file, partSize, createHash('sha256'), () => true)),
      collect(streamParts(Readable.from([data]), partSize, createHash('sha256'), () => true)),
    ]);
    expect(await Promise.all(fromFile.map((p) => partMd5(p.body())))).toEqual(expected.map(md5));
    expect(await Promise.all(fromStream.map((p) => partMd5(p.body())))).toEqual(expected.map(md5));
  });

  it('yields as many parts as the file holds, so a file of another size than recorded fails the caller\'s size check', async () => {
    const short = join(tempDir('part-sources-'), 'short');
    writeFileSync(short, data.subarray(0, 100));
    const parts = await collect(fileParts(short, partSize, createHash('sha256'), () => true));
    expect(parts.map((p) => p.size)).toEqual([100]);
  });
});
