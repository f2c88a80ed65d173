import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { uploadMultipart, type MultipartState } from '../../exports/multipart';
import type { UploadTarget } from '../../exports/s3-calls';
import { createSourceClient } from '../../s3/client';
import type { S3OperationError } from '../../s3/errors';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { adminS3, createBucket } from '../harness/minio-admin';
import { startFaultProxy, type FaultProxy, type FaultProxyOptions } from '../harness/fault-proxy';
import { testEnv } from '../harness/test-env';

const MiB = 1024 ** 2;
const PART = 5 * MiB; // S3's smallest part size
const sha = (b: Buffer, encoding: 'hex' | 'base64' = 'hex') => createHash('sha256').update(b).digest(encoding);
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('multipart exports: parts sent on the lean path, each verified by the store', () => {
  const data = randomBytes(2 * PART + 12345);
  const parts = [0, 1, 2].map((i) => data.subarray(i * PART, (i + 1) * PART));
  let bucket: string;
  let file: string;
  let proxy: FaultProxy | undefined;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('mp-verify');
    file = join(mkdtempSync(join(tmpdir(), 'mp-verify-')), 'big.bin');
    writeFileSync(file, data);
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  /** Uploads the file (from its path, or only as a stream) through a proxy with `options`; what it returned, the states it reported, what the proxy saw. */
  async function upload(key: string, options: FaultProxyOptions, local = true) {
    proxy = await startFaultProxy(testEnv().minio.endpoint, options);
    const source = config({ sources: { out: minioSource(bucket, { endpoint: proxy.endpoint, exports: { enabled: true } }) } }).sources.out!;
    const target: UploadTarget = { client: createSourceClient('out', source), key, size: data.length, sha256: sha(data),
      open: async () => createReadStream(file), localPath: local ? file : undefined };
    const states: MultipartState[] = [];
    const run = uploadMultipart(target, { partSize: PART, concurrency: 2, onState: (s) => states.push(structuredClone(s)),
      register: async () => undefined, unregister: async () => undefined, onBytes: () => undefined, log: () => undefined });
    return { run, states, requests: proxy.requests };
  }

  const storedBytes = async (key: string) => Buffer.from(await (await adminS3().send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());

  it.each([['a local file', true], ['a stream', false]])('signs each part\'s SHA-256 as its payload hash, sends no MD5, and checks the composite SHA-256 the store returns, from %s', async (_, local) => {
    const key = `signed-${local}.bin`;
    const { run, states, requests } = await upload(key, {}, local);
    expect(await run).toMatchObject({ key, size: data.length, verifiedBy: 'sha256', parts: 3 });
    const sent = requests.filter((r) => r.method === 'PUT' && r.query.includes('partNumber'));
    expect(sent.map((r) => [new URLSearchParams(r.query).get('partNumber'), r.contentSha256, r.contentMd5]).sort())
      .toEqual(parts.map((p, i) => [String(i + 1), sha(p), undefined]));
    expect(states.at(-1)!.parts.map((p) => [p.sha256, p.md5])).toEqual(parts.map((p) => [sha(p, 'base64'), undefined]));
    expect((await storedBytes(key)).equals(data)).toBe(true);
  });

  it('compares each part\'s MD5 with its ETag, and the multipart ETag, when the store returns no checksum', async () => {
    const key = 'no-checksums.bin';
    const { run, states } = await upload(key, { dropChecksums: true });
    expect(await run).toMatchObject({ key, verifiedBy: 'md5-etag', parts: 3 });
    expect(states.at(-1)!.parts.map((p) => p.md5)).toEqual(parts.map(md5));
    expect((await storedBytes(key)).equals(data)).toBe(true);
  });

  it('fails as transient, keeping the upload open to resume, when the store refuses a part changed on the way', async () => {
    const key = 'changed.bin';
    // The first byte of part 2 is flipped on its way to the store.
    const { run, states } = await upload(key, { faults: { put: { flip: { rate: 1, offset: 0, body: 'request', when: (r) => r.partNumber === 2 } } } });
    const err = await run.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as S3OperationError);
    expect(err).toMatchObject({ kind: 'transient', code: 'XAmzContentSHA256Mismatch', status: 400 });
    expect(err.message).toContain('Part 2 was refused as not the bytes hashed; the upload is retried.');
    expect(states.at(-1)!.parts.map((p) => p.n)).not.toContain(2);
    const open = await adminS3().send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
    expect(open.Uploads?.map((u) => u.UploadId)).toEqual([states[0]!.uploadId]); // kept for the retried attempt to resume
  });
});
