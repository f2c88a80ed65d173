import { createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localBackend } from '../../datasets/local-backend';
import { sealedFile } from '../../exports/sealed-file';
import type { SourceKms } from '../../s3/kms-client';
import { tempDir } from '../harness/temp-dir';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A KMS stand-in that hands out random data keys, "wrapped" as themselves (a test has to see them). */
function stubKms(): SourceKms & { calls: number } {
  const stub = {
    calls: 0, keyId: 'alias/k', field: 'sources.out.clientKms',
    kms: { send: async () => { stub.calls++; const key = randomBytes(32); return { Plaintext: new Uint8Array(key), CiphertextBlob: new Uint8Array(key) }; } },
  };
  return stub as unknown as SourceKms & { calls: number };
}

describe('the staged ciphertext of an encrypted export', () => {
  it('is the v2 encryption of the file, reused by a retry, and made anew (fresh) only when its staged copy is gone', async () => {
    const root = tempDir('sealed-');
    const store = localBackend(root);
    const plaintext = randomBytes(300_000);
    const { path } = await store.ingest('ds/blobs', (await import('node:stream')).Readable.from([plaintext]));
    const kms = stubKms();
    const file = { blob: path, sha256: sha(plaintext), size: plaintext.length };
    const first = await sealedFile(store, kms, file, 'out/a.bin', 'run/sealed', 'run/sealed-records/a.json');
    expect(first).toMatchObject({ fresh: true, size: plaintext.length + 16 });
    const body = readFileSync(join(root, ...first.blob.split('/')));
    expect(sha(body)).toBe(first.sha256);
    // The stub's wrapped key is the data key itself: decrypt as a reader would.
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(first.metadata['x-amz-key-v2']!, 'base64'), Buffer.from(first.metadata['x-amz-iv']!, 'base64'));
    decipher.setAuthTag(body.subarray(body.length - 16));
    expect(Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).equals(plaintext)).toBe(true);

    const retried = await sealedFile(store, kms, file, 'out/a.bin', 'run/sealed', 'run/sealed-records/a.json');
    expect(retried).toEqual({ ...first, fresh: false });
    expect(kms.calls).toBe(1);

    await store.remove(first.blob);
    const again = await sealedFile(store, kms, file, 'out/a.bin', 'run/sealed', 'run/sealed-records/a.json');
    expect(again.fresh).toBe(true);
    expect(again.sha256).not.toBe(first.sha256);
  });

  it('refuses a dataset file that does not match its recorded SHA-256 and leaves no ciphertext', async () => {
    const root = tempDir('sealed-');
    const store = localBackend(root);
    const { path } = await store.ingest('ds/blobs', (await import('node:stream')).Readable.from([Buffer.from('abc')]));
    await expect(sealedFile(store, stubKms(), { blob: path, sha256: sha(Buffer.from('abd')), size: 3 }, 'out/a.bin', 'run/sealed', 'run/r.json'))
      .rejects.toThrow(/does not match its recorded SHA-256.*re-run the sync/);
    expect(await store.read('run/r.json')).toBeUndefined();
    expect(await store.list('run/sealed').catch(() => [])).not.toContainEqual(expect.stringMatching(/[0-9a-f]{64}/));
  });
});
