/**
 * A resumed multipart upload of an encrypted export: the first attempt fails after its first
 * part (a part changed on the way, through the fault proxy), the second resumes the same upload
 * with the staged ciphertext recorded by the first, and the AWS client decrypts the object.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { localBackend } from '../../datasets/local-backend';
import { uploadMultipart, type MultipartState } from '../../exports/multipart';
import type { UploadTarget } from '../../exports/s3-calls';
import { sealedFile } from '../../exports/sealed-file';
import { createSourceClient } from '../../s3/client';
import { config, minioSource, rootKeyEnv } from '../harness/connector';
import { startFaultProxy } from '../harness/fault-proxy';
import { createBucket } from '../harness/minio-admin';
import { createKmsKey, s3ecGet } from '../harness/s3ec-clients';
import { testEnv } from '../harness/test-env';

const PART = 5 * 1024 * 1024;

describe('a resumed multipart upload of an encrypted export', () => {
  it('continues with the same staged ciphertext, so the S3 Encryption Client decrypts the object', async () => {
    Object.assign(process.env, rootKeyEnv());
    const bucket = await createBucket('kms-resume');
    const kmsKey = await createKmsKey('resume');
    const root = mkdtempSync(join(tmpdir(), 'kms-resume-'));
    const store = localBackend(root);
    const plaintext = randomBytes(2 * PART + 777);
    const { path, sha256 } = await store.ingest('ds/blobs', Readable.from([plaintext]));
    const proxy = await startFaultProxy(testEnv().minio.endpoint, { faults: { put: { flip: { rate: 1, offset: 0, body: 'request', when: (r) => r.partNumber === 2 } } } });
    const clientVia = (endpoint?: string) => createSourceClient('out', config({ sources: { out: minioSource(bucket, {
      ...(endpoint ? { endpoint } : {}), region: 'us-east-1', exports: { enabled: true }, clientKms: { keyId: kmsKey.alias, kmsEndpoint: testEnv().moto.endpoint },
    }) } }).sources.out!);
    const attempt = async (client: ReturnType<typeof clientVia>, resume: MultipartState | undefined, states: MultipartState[]) => {
      const sealed = await sealedFile(store, client.kms!, { blob: path, sha256, size: plaintext.length }, 'big.bin', 'run/sealed', 'run/sealed-records/big.json');
      const target: UploadTarget = { client, key: 'big.bin', size: sealed.size, sha256: sealed.sha256, metadata: sealed.metadata,
        open: () => store.readStream(sealed.blob), localPath: store.localPath?.(sealed.blob) };
      const run = uploadMultipart(target, { partSize: PART, concurrency: 1, resume, onState: (s) => states.push(structuredClone(s)),
        register: async () => undefined, unregister: async () => undefined, onBytes: () => undefined, log: () => undefined });
      return { sealed, run };
    };
    try {
      const states: MultipartState[] = [];
      const first = await attempt(clientVia(proxy.endpoint), undefined, states);
      await expect(first.run).rejects.toMatchObject({ kind: 'transient' });
      const resume = states.at(-1)!;
      expect(resume.parts.map((p) => p.n)).toEqual([1]);
      const second = await attempt(clientVia(), resume, states);
      expect(second.sealed).toEqual({ ...first.sealed, fresh: false });
      expect(await second.run).toMatchObject({ key: 'big.bin', parts: 3 });
      // The completed upload is the first attempt's: part 1 was not sent again.
      expect(states.at(-1)!.uploadId).toBe(resume.uploadId);
      const decrypted = await s3ecGet('python', { bucket, key: 'big.bin', kmsKeyId: kmsKey.alias });
      expect(decrypted.equals(plaintext)).toBe(true);
    } finally {
      await proxy.close();
      rmSync(root, { recursive: true, force: true });
    }
  }, 180_000);
});
