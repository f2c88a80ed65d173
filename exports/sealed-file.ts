/**
 * Exports to a `clientKms` source: each dataset file is encrypted in the v2 format into a staged
 * ciphertext blob in the run's staging folder first, and that fixed ciphertext is uploaded (one
 * PUT or a multipart upload). Its envelope (wrapped key, IV; never the data key) is recorded
 * beside it, so a retried or resumed attempt uploads the very same bytes: a resumed multipart
 * upload continues with parts of the same ciphertext and can never yield an object that fails
 * to decrypt. Costs one staged copy of each file in flight.
 */
import type { StoreBackend } from '../datasets/backend';
import { hashing } from '../datasets/hashing-stream';
import { sealV2 } from '../crypto/gcm-encrypt';
import { S3OperationError } from '../s3/errors';
import type { SourceKms } from '../s3/kms-client';

/** The staged ciphertext of one file: its blob, size, SHA-256 and the metadata to store it with. */
export interface SealedFile {
  /** True when encrypted by this call (a new data key and IV), false when an earlier attempt's ciphertext was reused. */
  fresh?: boolean;
  blob: string;
  size: number;
  sha256: string;
  metadata: Record<string, string>;
}

/** A dataset file to encrypt: its blob and recorded SHA-256 and size (checked as it is read). */
export interface PlainFile {
  blob: string;
  sha256: string;
  size: number;
}

/** Whether `path` is still in the store (listed in its folder; a stream of a missing file fails only once read). */
async function blobPresent(store: StoreBackend, path: string): Promise<boolean> {
  const slash = path.lastIndexOf('/');
  const names = await store.list(path.slice(0, slash)).catch(() => [] as string[]);
  return names.includes(path.slice(slash + 1));
}

/**
 * The staged ciphertext of `file` for `key`: reused when `recordPath` records one whose blob is
 * still there, else encrypted now (a fresh data key and IV) and recorded.
 */
export async function sealedFile(store: StoreBackend, kms: SourceKms, file: PlainFile, key: string, dir: string, recordPath: string, signal?: AbortSignal): Promise<SealedFile> {
  const recorded = await store.read(recordPath);
  if (recorded) {
    const sealed = JSON.parse(recorded.toString('utf8')) as SealedFile;
    if (await blobPresent(store, sealed.blob)) return { ...sealed, fresh: false };
  }
  const what = `export of ${key}`;
  const { encryptor, metadata } = await sealV2(kms, what, signal);
  const plain = hashing(await store.readStream(file.blob), undefined, false);
  plain.stream.on('error', (err) => encryptor.destroy(err));
  plain.stream.pipe(encryptor);
  const blob = await store.ingest(dir, encryptor, { md5: false, ownedChunks: true });
  const read = plain.digests();
  if (read.sha256 !== file.sha256 || read.size !== file.size) {
    await store.remove(blob.path);
    throw new S3OperationError('permanent', 'DatasetFileDamaged', `the dataset file for ${key} does not match its recorded SHA-256 ${file.sha256} (read ${read.sha256}, ${read.size} bytes); it was not exported. Fix: re-run the sync that landed it.`);
  }
  const sealed: SealedFile = { blob: blob.path, size: blob.size, sha256: blob.sha256, metadata };
  await store.write(recordPath, JSON.stringify(sealed));
  return { ...sealed, fresh: true };
}
