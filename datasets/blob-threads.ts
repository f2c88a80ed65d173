/**
 * The threads behind BlobWriter (blob-writer.ts): the code they run, how many there are, the
 * bytes each may have queued, and their lifetime. Each keeps the blobs it has open by id.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { crc64nvmeHex, crc64nvmeStart, crc64nvmeTables, crc64nvmeUpdate } from './crc64nvme';
import type { DigestChoice, StreamDigests } from './hashing-stream';

/**
 * Bytes posted to one thread and not yet written before the bodies feeding it wait. A thread
 * hashes and writes ~0.4 GB/s here, so 2 MiB is ~5 ms of work queued: enough to keep it busy,
 * and the same memory whether 2 or 16 copies share it.
 */
export const THREAD_BYTES_IN_FLIGHT = 2 * 1024 * 1024;

/** A thread without a blob for this long ends; the next blob starts it again (~30 ms). */
export const BLOB_THREAD_IDLE_MS = 10_000;

/**
 * Threads at most: one per core but the main thread's, 1 to 4. More concurrent blobs share
 * them. On 2 cores a second thread was no faster for 2 × 1 GiB (5.5-6.2 s against 5.7-6.0),
 * ~0.5 s faster for 200 × 8 MiB, and took that import's peak RSS to 241-255 MiB, over the
 * worker's 256 MB target (a thread is ~9 MiB, and each holds chunks in flight).
 */
const MAX_THREADS = Math.max(1, Math.min(4, availableParallelism() - 1));

/** A thread's heap holds a few hashes and messages; the chunks it is given are outside it. */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16, stackSizeMb: 1 };

// The thread's code is plain JavaScript evaluated from this string, so it runs the same from
// TypeScript sources (jest, tsx) and from dist/ without a separate file to ship or resolve.
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash, randomUUID } = require('node:crypto');
const { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } = require('node:fs');
const { dirname } = require('node:path');
const { crc32 } = require('node:zlib');
const open = new Map();
const hex32 = (crc) => (crc >>> 0).toString(16).padStart(8, '0');
// crc64nvme.ts's functions, from their source text; the tables are built on first use.
${crc64nvmeTables.toString()}
${crc64nvmeStart.toString()}
${crc64nvmeUpdate.toString()}
${crc64nvmeHex.toString()}
let crc64Tables;
const crc64 = () => crc64Tables || (crc64Tables = crc64nvmeTables());
// A blob's folder is made on first use (or again after a removal).
const openMaking = (path, flags) => {
  try { return openSync(path, flags); } catch (err) {
    if (err.code !== 'ENOENT') throw err;
    mkdirSync(dirname(path), { recursive: true });
    return openSync(path, flags);
  }
};
const writeAll = (fd, data) => { for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at); };
const writeFile = (path, data, flags) => {
  const fd = openMaking(path, flags);
  try { writeAll(fd, data); } finally { closeSync(fd); }
};
// A small blob, whole: created in place under its SHA-256, exclusively (O_EXCL), in one write.
// A file already there is the same bytes, or a stub left by a process killed between open and
// write (one write() is not interrupted by a kill): a shorter one is replaced atomically.
const writeWhole = (m) => {
  const data = new Uint8Array(m.data);
  const sha256 = createHash('sha256').update(data).digest('hex');
  const path = m.dir + '/' + sha256.slice(0, 2) + '/' + sha256;
  try { writeFile(path, data, 'wx'); } catch (err) {
    if (err.code !== 'EEXIST') throw err;
    if (statSync(path).size !== data.length) {
      const temp = path + '.tmp-' + randomUUID();
      try { writeFile(temp, data, 'w'); renameSync(temp, path); } finally { rmSync(temp, { force: true }); }
    }
  }
  let c64;
  if (m.crc64nvme) { c64 = crc64nvmeStart(); crc64nvmeUpdate(crc64(), c64, data); }
  return { sha256, md5: m.md5 ? createHash('md5').update(data).digest('hex') : undefined, crc32: m.crc32 ? hex32(crc32(data)) : undefined,
    crc64nvme: c64 && crc64nvmeHex(c64), size: data.length };
};
const fail = (id, err) => {
  const blob = open.get(id);
  open.delete(id);
  try { if (blob) closeSync(blob.fd); } catch {}
  parentPort.postMessage({ op: 'failed', id, message: err.message, code: err.code });
};
parentPort.on('message', (m) => {
  if (m.op === 'whole') {
    try {
      const digests = writeWhole(m);
      parentPort.postMessage({ op: 'done', id: m.id, digests, data: m.data }, [m.data]);
    } catch (err) { fail(m.id, err); }
    return;
  }
  if (m.op === 'open') {
    try {
      const fd = openMaking(m.path, 'w');
      open.set(m.id, { fd, sha: createHash('sha256'),
        md5: m.md5 ? createHash('md5') : undefined, crc: m.crc32 ? 0 : undefined, c64: m.crc64nvme ? crc64nvmeStart() : undefined, size: 0 });
    } catch (err) { fail(m.id, err); }
    return;
  }
  const blob = open.get(m.id);
  if (m.op === 'write') {
    // Every batch is acknowledged, even one of a blob already failed or aborted: the main
    // thread counts the bytes it has posted until they come back.
    let bytes = 0;
    for (const chunk of m.chunks) bytes += chunk.byteLength;
    try {
      if (blob) {
        for (const chunk of m.chunks) {
          const data = new Uint8Array(chunk);
          blob.sha.update(data);
          if (blob.md5) blob.md5.update(data);
          if (blob.crc !== undefined) blob.crc = crc32(data, blob.crc);
          if (blob.c64) crc64nvmeUpdate(crc64(), blob.c64, data);
          writeAll(blob.fd, data);
        }
        blob.size += bytes;
      }
    } catch (err) { fail(m.id, err); }
    parentPort.postMessage({ op: 'ack', id: m.id, bytes, chunks: m.chunks }, m.chunks);
    return;
  }
  if (!blob) return; // already failed or aborted: its messages in flight are moot
  if (m.op === 'end') {
    try { closeSync(blob.fd); } catch (err) { return fail(m.id, err); }
    open.delete(m.id);
    parentPort.postMessage({ op: 'done', id: m.id, digests: { sha256: blob.sha.digest('hex'), md5: blob.md5 && blob.md5.digest('hex'),
      crc32: blob.crc === undefined ? undefined : hex32(blob.crc), crc64nvme: blob.c64 && crc64nvmeHex(blob.c64), size: blob.size } });
  } else if (m.op === 'abort') {
    open.delete(m.id);
    try { closeSync(blob.fd); } catch {}
    parentPort.postMessage({ op: 'closed', id: m.id });
  }
});
`;

/** What a thread reports about one blob. */
export type Reply =
  | { op: 'ack'; id: number; bytes: number }
  | { op: 'done'; id: number; digests: StreamDigests }
  | { op: 'closed'; id: number }
  | { op: 'failed'; id: number; message: string; code?: string };

/** One writing thread and the blobs it has open. */
export class BlobThread {
  private worker: Worker | undefined;
  private idle: NodeJS.Timeout | undefined;
  readonly blobs = new Map<number, (reply: Reply) => void>();
  /** Bytes posted and not yet acknowledged. */
  private queued = 0;
  /** Writers waiting for room, in arrival order. */
  private readonly waiting = new Set<() => void>();

  open(id: number, onReply: (reply: Reply) => void, message: object, transfer: ArrayBuffer[] = []): void {
    this.blobs.set(id, onReply);
    // While a blob is open its caller awaits this thread: keep the process alive for it.
    this.started().ref();
    this.started().postMessage(message, transfer);
  }

  post(message: object): void {
    this.started().postMessage(message);
  }

  /** Moves `chunks` (`bytes` in all) to the thread, to be written to blob `id`. */
  write(id: number, chunks: ArrayBuffer[], bytes: number): void {
    this.started().postMessage({ op: 'write', id, chunks }, chunks);
    this.queued += bytes;
  }

  /** Whether the thread has room for more bytes now. */
  hasRoom(): boolean {
    return this.queued < THREAD_BYTES_IN_FLIGHT;
  }

  /** Calls `resume` once the thread has room (see cancelWait). */
  wait(resume: () => void): void {
    this.waiting.add(resume);
  }

  cancelWait(resume: () => void): void {
    this.waiting.delete(resume);
  }

  private started(): Worker {
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    if (this.worker) return this.worker;
    const worker = new Worker(THREAD_SOURCE, { eval: true, name: 's3-connector blob writer', resourceLimits: THREAD_LIMITS });
    worker.on('message', (reply: Reply) => {
      if (reply.op === 'ack') {
        // The chunks came back with the ack and are left to this thread's collector.
        this.queued -= reply.bytes;
        for (const resume of this.waiting) {
          if (!this.hasRoom()) break;
          this.waiting.delete(resume);
          resume();
        }
        return;
      }
      const onReply = this.blobs.get(reply.id);
      this.close(reply.id);
      onReply?.(reply);
    });
    // A thread that dies (out of memory, a bug) fails its blobs; the next blob starts another.
    const died = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.queued = 0;
      for (const [id, onReply] of this.blobs) onReply({ op: 'failed', id, message: `the blob-writing thread stopped: ${err.message}` });
      this.blobs.clear();
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private close(id: number): void {
    this.blobs.delete(id);
    if (this.blobs.size || !this.worker) return;
    this.worker.unref();
    const worker = this.worker;
    this.idle = setTimeout(() => {
      if (this.worker !== worker || this.blobs.size) return;
      this.worker = undefined;
      void worker.terminate();
    }, BLOB_THREAD_IDLE_MS).unref();
  }
}

const threads: BlobThread[] = [];
let nextId = 1;

/** A process-wide id for a new blob. */
export function newBlobId(): number {
  return nextId++;
}

/** The thread with the fewest open blobs, started lazily. */
export function leastBusyThread(): BlobThread {
  if (threads.length < MAX_THREADS && threads.every((t) => t.blobs.size > 0)) threads.push(new BlobThread());
  return threads.reduce((a, b) => (b.blobs.size < a.blobs.size ? b : a));
}

/** What a blob's thread computes besides SHA-256, and whether it may move the bytes it is given. */
export interface BlobOptions extends DigestChoice {
  md5?: boolean;
  /**
   * The bytes given are no one else's: move each chunk (when it spans its whole buffer) to the
   * thread instead of copying it. The caller's Buffer is then empty (detached).
   */
  moveChunks?: boolean;
}

/** The digest flags of a thread message. */
export function digestFlags(options: BlobOptions): { md5: boolean; crc32: boolean; crc64nvme: boolean } {
  return { md5: options.md5 ?? false, crc32: options.crc32 ?? false, crc64nvme: options.crc64nvme ?? false };
}

/**
 * The buffer to send a thread for `chunk`: its own when moving is allowed and it spans it, else
 * a copy (moving a view's buffer would take bytes from the rest of it, pooled or sliced).
 */
export function bufferToSend(chunk: Buffer, options: BlobOptions): ArrayBuffer {
  const spans = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer;
  return options.moveChunks && spans ? chunk.buffer as ArrayBuffer : new Uint8Array(chunk).buffer;
}

/**
 * Hashes `data` on a writing thread and stores it as `<dir>/<sha256 0-2>/<sha256>` (the layout
 * of local-backend.ts), created in place unless a whole copy is there. Its buffer is moved or
 * copied as bufferToSend says.
 */
export function writeWholeBlob(dir: string, data: Buffer, options: BlobOptions): Promise<StreamDigests> {
  const id = newBlobId();
  const bytes = bufferToSend(data, options);
  return new Promise((resolve, reject) => leastBusyThread().open(id, (reply) => {
    if (reply.op === 'done') resolve(reply.digests);
    else reject(Object.assign(new Error(reply.op === 'failed' ? reply.message : 'the blob was closed before it was written'), { code: reply.op === 'failed' ? reply.code : undefined }));
  }, { op: 'whole', id, dir, data: bytes, ...digestFlags(options) }, [bytes]));
}
