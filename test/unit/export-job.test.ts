import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { parseConfig } from '../../config/load';
import { exportKey } from '../../exports/target';
import { exportJob } from '../../jobs/job';
import { chunks, compositeSha256, multipartEtag, partSizeFor } from '../../exports/parts';

const cfg = (url: string, exp: Record<string, unknown>, enabled = true) => parseConfig({
  sources: { out: { url, endpoint: 'http://127.0.0.1:9000', pathStyleAccess: true, credentials: { type: 'cloudIdentity' }, exports: { enabled } } },
  exports: { job: { dataset: 'ds', source: 'out', ...exp } },
}).config;

describe('export keys and checks', () => {
  it.each([
    ['s3://bucket-a/base/', 'p/', 'base/p/f/x.csv'],
    ['s3://bucket-a/base', 'p', 'base/p/f/x.csv'],
    ['s3://bucket-a/', '', 'f/x.csv'],
    ['s3://bucket-a', 'a//b/', 'a/b/f/x.csv'],
    ['s3://bucket-a/deep/er/', '', 'deep/er/f/x.csv'],
  ])('puts file f/x.csv of url %s with pathPrefix "%s" at %s', (url, pathPrefix, key) => {
    expect(exportKey(exportJob(cfg(url, { pathPrefix }), 'job').keyPrefix, 'f/x.csv')).toBe(key);
  });

  it('refuses a source without exports enabled and a public ACL without allowPublicAcl, even past the schema', () => {
    const disabled = cfg('s3://bucket-a/', {});
    disabled.sources.out!.exports.enabled = false;
    expect(() => exportJob(disabled, 'job')).toThrow('source "out" does not allow exports');
    const pub = cfg('s3://bucket-a/', {});
    pub.exports.job!.cannedAcl = 'public-read-write';
    expect(() => exportJob(pub, 'job')).toThrow('public-read-write makes exported files public');
    expect(exportJob(cfg('s3://bucket-a/', { cannedAcl: 'public-read', allowPublicAcl: true }), 'job').cannedAcl).toBe('public-read');
  });

  it('cuts a stream into parts of exactly the part size and computes the multipart ETag and composite checksum S3 computes', async () => {
    const data = Buffer.from(Array.from({ length: 25 }, (_, i) => i));
    const parts: Buffer[] = [];
    for await (const part of chunks(Readable.from([data.subarray(0, 7), data.subarray(7, 8), data.subarray(8)]), 10)) parts.push(Buffer.from(part));
    expect(parts.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(Buffer.concat(parts)).toEqual(data);
    const records = parts.map((p, i) => ({ n: i + 1, etag: '', md5: createHash('md5').update(p).digest('hex'), sha256: createHash('sha256').update(p).digest('base64') }));
    const md5s = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()));
    expect(multipartEtag(records)).toBe(`"${createHash('md5').update(md5s).digest('hex')}-3"`);
    expect(compositeSha256(records)).toMatch(/^[A-Za-z0-9+/]+=*-3$/);
  });
});

describe('multipart part sizes', () => {
  const MiB = 1024 * 1024;

  it('keep the configured part size while the file fits in 10,000 parts of it', () => {
    expect(partSizeFor(64 * MiB * 10_000, 64 * MiB)).toBe(64 * MiB);
    expect(partSizeFor(1, 5 * MiB)).toBe(5 * MiB);
  });

  it('grow to the smallest whole MiB that keeps a larger file within 10,000 parts', () => {
    const TiB = 1024 ** 4;
    const size = partSizeFor(TiB, 64 * MiB);
    expect(size % MiB).toBe(0);
    expect(Math.ceil(TiB / size)).toBeLessThanOrEqual(10_000);
    expect(Math.ceil(TiB / (size - MiB))).toBeGreaterThan(10_000);
  });
});
