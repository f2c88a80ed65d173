/**
 * Large blobs written and hashed off the main thread. A 2 × 1 GiB import spent 5.3 of its
 * 9.7 s of main-thread CPU in hash.update (SHA-256 ~1.4 GB/s with SHA-NI, MD5 ~0.6, CRC32 ~3)
 * and 0.6 s more handing writes to libuv's pool, on the thread that also parses every HTTP
 * response and runs the activities. Here writing threads hash the body's chunks and write
 * them to the file with synchronous calls (no thread-pool hop) while the main thread parses.
 *
 * Chunks that are the body's own are moved to the thread, not copied: Node's HTTP parser
 * hands each body chunk out in a buffer of its own (~64 KiB), which is transferred there and
 * back (so the main thread's collector, not the thread's rare one, frees it). Copying into
 * shared batches instead cost 1.6 s of the main thread per 2 GiB on this machine, more than
 * the hashing it moved. Other bodies' chunks are copied: their caller may still read them.
 *
 * Threads start on first use and end after BLOB_THREAD_IDLE_MS without a blob, so an idle
 * worker does not carry them (a Node thread is an isolate of its own, ~9 MiB resident).
 */
import { Writable } from 'node:stream';
import { bufferToSend, digestFlags, leastBusyThread, newBlobId, type BlobOptions, type Reply } from './blob-threads';
import type { StreamDigests } from './hashing-stream';

/** Chunks are sent to the thread once this many bytes have gathered: fewer messages. */
export const BLOB_BATCH_BYTES = 256 * 1024;

/**
 * A Writable that stores what is written to it in the file at `path` (created or truncated,
 * its folder created when missing), hashed with SHA-256 and, when asked, MD5, CRC32 and
 * CRC-64/NVME.
 * `digests()` is valid once it has finished. A destroyed writer closes its file; removing the
 * file is the caller's job.
 */
export class BlobWriter extends Writable {
  private readonly id = newBlobId();
  private readonly thread = leastBusyThread();
  private gathered: ArrayBuffer[] = [];
  private gatheredBytes = 0;
  private resumeWrite: (() => void) | undefined;
  /** Given to the thread to call once it has room (see resume). */
  private readonly wake = () => this.resume();
  private settle: ((err?: Error) => void) | undefined;
  private failure: Error | undefined;
  private result: StreamDigests | undefined;
  private released = false;

  constructor(path: string, private readonly options: BlobOptions = {}, private readonly onBytes?: (n: number) => void) {
    super({ highWaterMark: BLOB_BATCH_BYTES });
    this.thread.open(this.id, (reply) => this.onReply(reply), { op: 'open', id: this.id, path, ...digestFlags(options) });
  }

  /** The digests of the bytes written, once the writer has finished. */
  digests(): StreamDigests {
    if (!this.result) throw new Error('digests read before the blob was finished');
    return this.result;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error) => void): void {
    if (this.failure) return done(this.failure);
    this.gathered.push(bufferToSend(chunk, this.options));
    this.gatheredBytes += chunk.length;
    this.onBytes?.(chunk.length);
    if (this.gatheredBytes >= BLOB_BATCH_BYTES) this.send();
    if (this.thread.hasRoom()) return done();
    // The thread has enough queued: wait for room (this is the body's backpressure).
    this.resumeWrite = () => done(this.failure);
    this.thread.wait(this.wake);
  }

  override _final(done: (err?: Error) => void): void {
    if (this.failure) return done(this.failure);
    if (this.gatheredBytes > 0) this.send();
    this.settle = done;
    this.thread.post({ op: 'end', id: this.id });
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    if (this.released) return done(err);
    // The thread may still be writing a batch: wait until it has closed the file.
    this.settle = () => done(err);
    this.thread.post({ op: 'abort', id: this.id });
  }

  private send(): void {
    this.thread.write(this.id, this.gathered, this.gatheredBytes);
    this.gathered = [];
    this.gatheredBytes = 0;
  }

  private onReply(reply: Reply): void {
    this.released = true;
    if (reply.op === 'done') this.result = reply.digests;
    if (reply.op === 'failed') this.failure = Object.assign(new Error(reply.message), { code: reply.code });
    this.resume();
    const settle = this.settle;
    this.settle = undefined;
    settle?.(this.failure);
  }

  private resume(): void {
    const resume = this.resumeWrite;
    this.resumeWrite = undefined;
    if (!resume) return;
    this.thread.cancelWait(this.wake);
    resume();
  }
}
