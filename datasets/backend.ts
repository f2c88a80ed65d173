/**
 * The storage under a dataset store: a tiny interface with two implementations, a local
 * folder and an S3 source (see local-backend.ts and s3-backend.ts).
 */
import type { Readable } from 'node:stream';
import type { DigestChoice, StreamDigests } from './digests';

/** Bytes stored by ingest() at `path`, with their digests (those IngestOptions asked for) computed while streaming. */
export interface IngestedBlob extends StreamDigests {
  path: string;
}

/** How ingest() reads a body; the digests beyond SHA-256 and MD5 are DigestChoice's (digests.ts). */
export interface IngestOptions extends DigestChoice {
  /** Sees each chunk's size as it goes by. */
  onBytes?: (n: number) => void;
  /** The size the body announced: a backend may read small bodies whole instead of streaming them. */
  sizeHint?: number;
  /** Also compute MD5 (to compare with a single-part ETag); it costs twice the CPU of SHA-256. */
  md5?: boolean;
  /**
   * No one else holds the body's chunks (an HTTP reply's are copied out of the socket for it):
   * a backend may move them to another thread instead of copying them.
   */
  ownedChunks?: boolean;
}

/** Paths are `/`-separated and relative to the store's root. */
export interface StoreBackend {
  /** A human-readable location, for messages. */
  readonly location: string;
  /** Reads a whole (small) file; undefined if absent. */
  read(path: string): Promise<Buffer | undefined>;
  /** Streams a file. */
  readStream(path: string): Promise<Readable>;
  /** Writes a (small) file, replacing any previous one, atomically. */
  write(path: string, data: Buffer | string): Promise<void>;
  /** Creates a file only if absent, atomically; returns false when it already existed. */
  createExclusive(path: string, data: Buffer | string): Promise<boolean>;
  /** Streams `body` into a blob under `dir`, hashing on the way (one pass); the blob appears whole or not at all. */
  ingest(dir: string, body: Readable, options?: IngestOptions): Promise<IngestedBlob>;
  /** Names directly below a folder (files and sub-folders), sorted. */
  list(dir: string): Promise<string[]>;
  /** Deletes a file or folder tree; absent is fine. */
  remove(path: string): Promise<void>;
  /** The local file holding `path`, on stores in a local folder (media inspection reads it in place). */
  localPath?(path: string): string;
}
