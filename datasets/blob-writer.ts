/**
 * Large blobs written and hashed off the main thread, which parses every HTTP response and runs
 * the activities: hashing a large body (SHA-256, and MD5 or a CRC when compared) costs that
 * thread more CPU than parsing it. Writing threads (blob-threads.ts) hash the body's chunks and
 * write them to the file with synchronous calls while the main thread parses.
 *
 * Chunks that are the body's own are moved to the thread, not copied: Node's HTTP parser hands
 * each body chunk out in a buffer of its own (~64 KiB), which is transferred there and back (so
 * the main thread's collector, not the thread's rare one, frees it). Copying them instead costs
 * the main thread about as much as moving the hashing off it saves. Other bodies' chunks are
 * copied: their caller may still read them.
 */
import { Writable } from 'node:stream';
import type { ThreadReply } from './blob-thread-messages';
import { bufferToSend, digestFlags, leastBusyThread, newBlobId, type BlobOptions } from './blob-threads';
import type { StreamDigests } from './digests';

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

  private onReply(reply: ThreadReply): void {
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
