/**
 * The threads behind BlobWriter (blob-writer.ts) and writeWholeBlob: how many there are, the
 * bytes each may have queued, and their lifetime. Each runs blob-thread-entry.ts and keeps the
 * blobs it has open by id; the messages are blob-thread-messages.ts's.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AbortMessage, EndMessage, OpenMessage, ThreadReply, WholeMessage, WriteMessage } from './blob-thread-messages';
import { flagsOf, type DigestChoice, type DigestFlags, type StreamDigests } from './digests';
import { threadModule, type ThreadModule } from './thread-module';

/**
 * Bytes posted to one thread and not yet written before the bodies feeding it wait: a few
 * milliseconds of hashing and writing, enough to keep the thread busy, and little memory
 * whether 2 or 16 bodies share it.
 */
export const THREAD_BYTES_IN_FLIGHT = 2 * 1024 * 1024;

/**
 * A thread without a blob for this long ends, so an idle worker does not carry its isolate; the
 * next blob starts it again (tens of milliseconds).
 */
export const BLOB_THREAD_IDLE_MS = 10_000;

/**
 * Threads at most: one per core but the main thread's (which parses every response), 1 to 4.
 * More concurrent blobs share them. Each thread is an isolate of its own (~9 MiB) holding chunks
 * in flight, which count against the worker's 256 MB memory target; more threads than spare
 * cores gain little speed for that memory (bench/README.md).
 */
const MAX_THREADS = Math.max(1, Math.min(4, availableParallelism() - 1));

/** A thread's heap holds a few hashes and messages; the chunks it is given are outside it. */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16, stackSizeMb: 1 };

/** The thread's module, found on the first start (see thread-module.ts). */
let entry: ThreadModule | undefined;

/** One writing thread and the blobs it has open. */
export class BlobThread {
  private worker: Worker | undefined;
  private idle: NodeJS.Timeout | undefined;
  /** The open blobs, each with what to call on its last reply. */
  readonly blobs = new Map<number, (reply: ThreadReply) => void>();
  /** Bytes posted and not yet acknowledged. */
  private queued = 0;
  /** Writers waiting for room, in arrival order. */
  private readonly waiting = new Set<() => void>();

  /** Starts blob `id` (`message` is its `open` or `whole`); `onReply` gets its last reply. */
  open(id: number, onReply: (reply: ThreadReply) => void, message: OpenMessage | WholeMessage, transfer: ArrayBuffer[] = []): void {
    const worker = this.started();
    this.blobs.set(id, onReply);
    // While a blob is open its caller awaits this thread: keep the process alive for it.
    worker.ref();
    worker.postMessage(message, transfer);
  }

  /** Ends or abandons an open blob. */
  post(message: EndMessage | AbortMessage): void {
    this.started().postMessage(message);
  }

  /** Moves `chunks` (`bytes` in all) to the thread, to be written to blob `id`. */
  write(id: number, chunks: ArrayBuffer[], bytes: number): void {
    const message: WriteMessage = { op: 'write', id, chunks };
    this.started().postMessage(message, chunks);
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

  /** Forgets a `resume` given to wait() that is no longer needed. */
  cancelWait(resume: () => void): void {
    this.waiting.delete(resume);
  }

  private started(): Worker {
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    if (this.worker) return this.worker;
    entry ??= threadModule(__dirname, 'blob-thread-entry');
    const worker = new Worker(entry.filename, { execArgv: entry.execArgv, name: 's3-connector blob writer', resourceLimits: THREAD_LIMITS });
    worker.on('message', (reply: ThreadReply) => {
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
export function digestFlags(options: BlobOptions): DigestFlags {
  return flagsOf(options.md5 ?? false, options);
}

/**
 * The buffer to send a thread for `chunk`: its own when moving is allowed and it spans it, else
 * a copy (moving a view's buffer would take bytes from the rest of it, pooled or sliced).
 */
export function bufferToSend(chunk: Buffer, options: BlobOptions): ArrayBuffer {
  const spans = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer;
  return options.moveChunks && spans ? chunk.buffer : new Uint8Array(chunk).buffer;
}

/**
 * Hashes `data` on a writing thread and stores it at blobPath(dir, sha256) (blob-path.ts),
 * created in place unless a whole copy is there. Its buffer is moved or copied as bufferToSend
 * says.
 */
export function writeWholeBlob(dir: string, data: Buffer, options: BlobOptions): Promise<StreamDigests> {
  const id = newBlobId();
  const bytes = bufferToSend(data, options);
  return new Promise((resolve, reject) => leastBusyThread().open(id, (reply) => {
    if (reply.op === 'done') resolve(reply.digests);
    else reject(Object.assign(new Error(reply.op === 'failed' ? reply.message : 'the blob was closed before it was written'), { code: reply.op === 'failed' ? reply.code : undefined }));
  }, { op: 'whole', id, dir, data: bytes, ...digestFlags(options) }, [bytes]));
}
