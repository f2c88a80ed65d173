/**
 * The messages between the main thread (blob-threads.ts, blob-writer.ts) and a blob-writing
 * thread (blob-thread-entry.ts). Every blob has a process-wide id; every ArrayBuffer named here
 * is transferred (moved), not copied, and comes back with the reply so that the main thread's
 * collector frees it, not the thread's rarely running one.
 */
import type { DigestFlags, StreamDigests } from './digests';

/** Creates (or truncates) the file `path` for blob `id`, its folder made when missing. */
export interface OpenMessage extends DigestFlags {
  op: 'open';
  id: number;
  path: string;
}

/** The next bytes of blob `id`, hashed and written in order; answered by an `ack`. */
export interface WriteMessage {
  op: 'write';
  id: number;
  chunks: ArrayBuffer[];
}

/** Blob `id` has all its bytes: close its file and reply `done` with its digests. */
export interface EndMessage {
  op: 'end';
  id: number;
}

/** Blob `id` is abandoned: close its file (the caller removes it) and reply `closed`. */
export interface AbortMessage {
  op: 'abort';
  id: number;
}

/**
 * A small blob whole: hash `data`, store it at blobPath(dir, sha256) unless a whole copy is there,
 * and reply `done` with its digests and `data`.
 */
export interface WholeMessage extends DigestFlags {
  op: 'whole';
  id: number;
  dir: string;
  data: ArrayBuffer;
}

/** What the main thread sends a writing thread. */
export type ThreadRequest = OpenMessage | WriteMessage | EndMessage | AbortMessage | WholeMessage;

/**
 * What a writing thread sends back. `ack` answers every `write`, even one for a blob already
 * failed or aborted (the main thread counts the bytes it has posted until they come back); the
 * other replies end the blob.
 */
export type ThreadReply =
  | { op: 'ack'; id: number; bytes: number; chunks: ArrayBuffer[] }
  | { op: 'done'; id: number; digests: StreamDigests; data?: ArrayBuffer }
  | { op: 'closed'; id: number }
  | { op: 'failed'; id: number; message: string; code?: string };
