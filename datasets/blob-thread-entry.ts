/**
 * The code a blob-writing thread runs (blob-threads.ts starts it): it hashes the bytes of the
 * blobs the main thread sends and writes them to their files, keeping its open blobs by id. File
 * calls are synchronous: this thread does nothing else, so a hop to libuv's pool would only add
 * latency. The messages are blob-thread-messages.ts's.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { blobPath } from './blob-path';
import type { ThreadReply, ThreadRequest, WholeMessage } from './blob-thread-messages';
import { Digester, type StreamDigests } from './digests';

if (!parentPort) throw new Error('blob-thread-entry is the code of a blob-writing thread: blob-threads.ts starts it with new Worker(), it is not run on its own');
const port = parentPort;

/** A blob being written: its file and the digests of what was written so far. */
interface OpenBlob {
  fd: number;
  digester: Digester;
}

const open = new Map<number, OpenBlob>();

const errorCode = (err: unknown) => (err as NodeJS.ErrnoException).code;

function reply(message: ThreadReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

/** Opens `path`, making its folder on first use (or again after a removal). */
function openMaking(path: string, flags: string): number {
  try {
    return openSync(path, flags);
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
    mkdirSync(dirname(path), { recursive: true });
    return openSync(path, flags);
  }
}

function writeAll(fd: number, data: Uint8Array): void {
  for (let at = 0; at < data.length;) at += writeSync(fd, data, at, data.length - at);
}

function writeFile(path: string, data: Uint8Array, flags: string): void {
  const fd = openMaking(path, flags);
  try {
    writeAll(fd, data);
  } finally {
    closeSync(fd);
  }
}

/**
 * A small blob, whole: created in place under its SHA-256, exclusively (O_EXCL), in one write.
 * A file already there is the same bytes, or a stub left by a process killed between open and
 * write (one write() is not interrupted by a kill): a shorter one is replaced atomically.
 */
function writeWhole(m: WholeMessage): StreamDigests {
  const data = new Uint8Array(m.data);
  const digests = new Digester(m).update(data).digests();
  const path = blobPath(m.dir, digests.sha256);
  try {
    writeFile(path, data, 'wx');
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') throw err;
    if (statSync(path).size !== data.length) {
      const temp = `${path}.tmp-${randomUUID()}`;
      try {
        writeFile(temp, data, 'w');
        renameSync(temp, path);
      } finally {
        rmSync(temp, { force: true });
      }
    }
  }
  return digests;
}

/** Closes `fd`, ignoring an error: its blob has already failed or been abandoned. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // The failure reported, if any, is the first one; an abandoned file is removed by the caller.
  }
}

/** Closes blob `id` if it is open, forgets it, and reports `err`. */
function fail(id: number, err: unknown): void {
  const blob = open.get(id);
  open.delete(id);
  if (blob) closeQuietly(blob.fd);
  reply({ op: 'failed', id, message: (err as Error).message, code: errorCode(err) });
}

/** Runs `step` for blob `id`; an error fails the blob. */
function orFail(id: number, step: () => void): void {
  try {
    step();
  } catch (err) {
    fail(id, err);
  }
}

/** Hashes and writes `chunks` to blob `id`; acknowledges them whatever happens. */
function write(id: number, chunks: ArrayBuffer[]): void {
  let bytes = 0;
  for (const chunk of chunks) bytes += chunk.byteLength;
  const blob = open.get(id);
  if (blob) {
    orFail(id, () => {
      for (const chunk of chunks) {
        const data = new Uint8Array(chunk);
        blob.digester.update(data);
        writeAll(blob.fd, data);
      }
    });
  }
  reply({ op: 'ack', id, bytes, chunks }, chunks);
}

/** Closes blob `id`'s file and reports its digests. */
function end(id: number): void {
  const blob = open.get(id);
  if (!blob) return; // already failed or aborted: its messages in flight are moot
  orFail(id, () => {
    closeSync(blob.fd);
    open.delete(id);
    reply({ op: 'done', id, digests: blob.digester.digests() });
  });
}

/** Closes and forgets blob `id`, whatever state its file is in. */
function abort(id: number): void {
  const blob = open.get(id);
  if (!blob) return;
  open.delete(id);
  closeQuietly(blob.fd);
  reply({ op: 'closed', id });
}

port.on('message', (m: ThreadRequest) => {
  switch (m.op) {
    case 'whole':
      return orFail(m.id, () => reply({ op: 'done', id: m.id, digests: writeWhole(m), data: m.data }, [m.data]));
    case 'open':
      return orFail(m.id, () => {
        open.set(m.id, { fd: openMaking(m.path, 'w'), digester: new Digester(m) });
      });
    case 'write':
      return write(m.id, m.chunks);
    case 'end':
      return end(m.id);
    case 'abort':
      return abort(m.id);
  }
});
