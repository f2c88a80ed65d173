/**
 * Lands the plaintext of a client-side encrypted object (README "Client-side encryption"): the
 * ciphertext is hashed as it streams (for the source's checksum or ETag, which are the
 * ciphertext's), decrypted, and the plaintext ingested into the store, whose ingest() keeps a
 * blob only when its body ended without error. The GCM tag is checked when the body ends, so a
 * bad tag fails the body and no byte of the object lands.
 */
import type { Readable, Transform } from 'node:stream';
import type { IngestedBlob, StoreBackend } from '../datasets/backend';
import type { DigestChoice, StreamDigests } from '../datasets/digests';
import { hashing } from '../datasets/hashing-stream';

/** The plaintext blob, and the digests and size of the ciphertext it was decrypted from. */
export interface DecryptedBlob {
  blob: IngestedBlob;
  ciphertext: StreamDigests;
}

/**
 * Streams `body` (ciphertext) through `decryptor` into a blob under `blobDir`. `digests` (and
 * `md5`) say which digests of the ciphertext to compute; `onBytes` counts ciphertext bytes.
 */
export async function ingestDecrypted(store: StoreBackend, blobDir: string, body: Readable, decryptor: Transform,
  digests: DigestChoice & { md5?: boolean }, onBytes: (n: number) => void): Promise<DecryptedBlob> {
  const { md5 = false, ...choice } = digests;
  const hashed = hashing(body, onBytes, md5, choice);
  hashed.stream.on('error', (err) => decryptor.destroy(err));
  hashed.stream.pipe(decryptor);
  // The plaintext is a new buffer per chunk (the decipher's own): a thread may take it.
  const blob = await store.ingest(blobDir, decryptor, { md5: false, ownedChunks: true });
  return { blob, ciphertext: hashed.digests() };
}
