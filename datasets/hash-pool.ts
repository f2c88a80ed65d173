/**
 * Digests computed on worker threads. A large import spent 64% of its main-thread CPU in
 * hash.update (bench/results/profile-large.md): SHA-256 runs at ~1.5 GB/s and MD5 at ~0.6 GB/s
 * on one core, so one 1 GiB object cost ~2.4 s of main-thread CPU before a byte of I/O.
 * Here each digest of a stream runs on a thread of its own choosing, the main thread only
 * copies chunks into shared batches, and both threads read the same batch without a copy.
 *
 * Threads start on first use and end after HASH_THREAD_IDLE_MS without work, so an idle
 * worker does not carry their memory (a Node thread is an isolate of its own, ~10 MiB).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** A digest the threads compute: S3's names for them, `crc32` as zlib computes it. */
export type DigestAlgorithm = 'sha256' | 'md5' | 'crc32';

/** Bytes copied into one shared batch before the threads see them (fewer, larger messages). */
export const HASH_BATCH_BYTES = 256 * 1024;

/**
 * Batches of one stream in flight before its producer waits: 1 MiB per stream, 16 MiB for 16
 * concurrent copies. Batches are reused, never left to the garbage collector: a hashing thread
 * allocates almost nothing, so it rarely collects, and fresh shared buffers freed only by its
 * collections once grew a worker past 1 GiB.
 */
export const HASH_BATCHES_IN_FLIGHT = 4;

/** CPU per byte relative to SHA-256 on this machine (with SHA-NI): MD5 ~0.6 GB/s, SHA-256 ~1.5, CRC32 ~4. */
const DIGEST_COST: Record<DigestAlgorithm, number> = { sha256: 1, md5: 2.3, crc32: 0.4 };

/** Spare batches kept for the next streams. */
const SPARE_BATCHES = 64;
const spare: SharedArrayBuffer[] = [];

/** A thread without work for this long ends; the next stream starts it again (~30 ms). */
export const HASH_THREAD_IDLE_MS = 10_000;

// The thread's code is plain JavaScript evaluated from this string, so it runs the same from
// TypeScript sources (jest, tsx) and from dist/ without a separate file to ship or resolve.
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { crc32 } = require('node:zlib');
const open = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'open') {
    open.set(m.id, m.algorithm === 'crc32' ? { crc: 0 } : { hash: createHash(m.algorithm) });
  } else if (m.op === 'update') {
    const state = open.get(m.id);
    const bytes = new Uint8Array(m.batch, 0, m.length);
    if (state && state.hash) state.hash.update(bytes);
    else if (state) state.crc = crc32(bytes, state.crc);
    parentPort.postMessage({ op: 'ack', id: m.id, seq: m.seq });
  } else if (m.op === 'digest') {
    const state = open.get(m.id);
    open.delete(m.id);
    const value = state.hash ? state.hash.digest('hex') : state.crc.toString(16).padStart(8, '0');
    parentPort.postMessage({ op: 'digest', id: m.id, value });
  } else if (m.op === 'drop') {
    open.delete(m.id);
  }
});
`;

interface Pending {
  onAck: (seq: number) => void;
  onDigest?: (hex: string) => void;
  onError: (err: Error) => void;
}

/** One hashing thread and the digests it has open. */
class HashThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private idle: NodeJS.Timeout | undefined;

  /** CPU cost of the digests open on this thread, to balance the pool. */
  load = 0;
  private readonly costs = new Map<number, number>();

  open(id: number, algorithm: DigestAlgorithm, pending: Pending): void {
    this.pending.set(id, pending);
    this.costs.set(id, DIGEST_COST[algorithm]);
    this.load += DIGEST_COST[algorithm];
    this.post({ op: 'open', id, algorithm });
    // While a digest is open its caller awaits this thread: keep the process alive for it.
    this.worker?.ref();
  }

  update(id: number, seq: number, batch: SharedArrayBuffer, length: number): void {
    this.post({ op: 'update', id, seq, batch, length });
  }

  /** Asks for the digest of `id`; resolves with its hex value. */
  digest(id: number): Promise<string> {
    const pending = this.pending.get(id);
    if (!pending) return Promise.reject(new Error('the digest was dropped by a failed hashing thread'));
    return new Promise((resolve, reject) => {
      pending.onDigest = resolve;
      pending.onError = reject;
      this.post({ op: 'digest', id });
    });
  }

  drop(id: number): void {
    if (!this.pending.delete(id)) return;
    this.post({ op: 'drop', id });
    this.release();
  }

  private post(message: object): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    this.started().postMessage(message);
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(THREAD_SOURCE, { eval: true, name: 's3-connector hashing' });
    worker.on('message', (m: { op: 'ack' | 'digest'; id: number; seq?: number; value?: string }) => {
      const pending = this.pending.get(m.id);
      if (!pending) return;
      if (m.op === 'ack') return pending.onAck(m.seq!);
      this.pending.delete(m.id);
      pending.onDigest?.(m.value!);
      this.release();
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const open = [...this.pending.values()];
      this.pending.clear();
      this.release();
      for (const p of open) p.onError(new Error(`the hashing thread failed: ${err.message}`));
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`it exited with code ${code}`)));
    // The pool must never keep a finished process alive (after the listeners: adding a message
    // listener refs the worker's port again).
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** Ends the thread once nothing has been open on it for a while. */
  private release(): void {
    for (const id of this.costs.keys()) {
      if (this.pending.has(id)) continue;
      this.load -= this.costs.get(id)!;
      this.costs.delete(id);
    }
    if (this.pending.size > 0 || !this.worker || this.idle) return;
    this.worker.unref();
    this.idle = setTimeout(() => {
      const worker = this.worker;
      this.worker = undefined;
      this.idle = undefined;
      void worker?.terminate();
    }, HASH_THREAD_IDLE_MS);
    this.idle.unref();
  }
}

let threads: HashThread[] | undefined;
let nextId = 1;

/** The pool: one thread per core, at most four (a 2-core machine also serves MinIO and Temporal). */
function pool(): HashThread[] {
  threads ??= Array.from({ length: Math.max(2, Math.min(4, availableParallelism())) }, () => new HashThread());
  return threads;
}

/** Digests of one byte stream, computed off the main thread. */
export class OffThreadDigests {
  private readonly lanes: Array<{ thread: HashThread; id: number; algorithm: DigestAlgorithm }>;
  private batch = spare.pop() ?? new SharedArrayBuffer(HASH_BATCH_BYTES);
  private filled = 0;
  private seq = 0;
  /** Batches the threads still read: each is reused once every lane has acknowledged it. */
  private readonly inFlight = new Map<number, { batch: SharedArrayBuffer; lanes: number }>();
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;

  /** Opens one digest per algorithm, each on the least loaded thread, the costliest first. */
  constructor(algorithms: readonly DigestAlgorithm[]) {
    const all = pool();
    const costliestFirst = [...algorithms].sort((a, b) => DIGEST_COST[b] - DIGEST_COST[a]);
    this.lanes = costliestFirst.map((algorithm) => {
      const thread = all.reduce((a, b) => (b.load < a.load ? b : a));
      const id = nextId++;
      thread.open(id, algorithm, {
        onAck: (seq) => this.acked(seq),
        onError: (err) => this.failed(err),
      });
      return { thread, id, algorithm };
    });
  }

  /** Adds bytes; resolves at once unless too many batches are in flight. */
  async update(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(chunk.length - offset, HASH_BATCH_BYTES - this.filled);
      new Uint8Array(this.batch, this.filled, n).set(chunk.subarray(offset, offset + n));
      this.filled += n;
      offset += n;
      if (this.filled === HASH_BATCH_BYTES) await this.flush();
    }
  }

  /** Every digest, hex, once all bytes are hashed. */
  async digests(): Promise<Record<DigestAlgorithm, string | undefined>> {
    if (this.filled > 0) await this.flush();
    if (this.failure) throw this.failure;
    const values = await Promise.all(this.lanes.map(({ thread, id }) => thread.digest(id)));
    this.retire();
    const result = { sha256: undefined, md5: undefined, crc32: undefined } as Record<DigestAlgorithm, string | undefined>;
    this.lanes.forEach((lane, i) => { result[lane.algorithm] = values[i]; });
    return result;
  }

  /** Forgets the digests (the stream failed); the threads drop their state. */
  drop(): void {
    for (const { thread, id } of this.lanes) thread.drop(id);
    // Batches still in flight may yet be read by a thread: they are left to the collector.
    this.inFlight.clear();
    this.retire();
  }

  /** Gives the batch being filled back for reuse. */
  private retire(): void {
    if (spare.length < SPARE_BATCHES) spare.push(this.batch);
  }

  private async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    const seq = this.seq++;
    this.inFlight.set(seq, { batch: this.batch, lanes: this.lanes.length });
    for (const { thread, id } of this.lanes) thread.update(id, seq, this.batch, this.filled);
    this.filled = 0;
    while (this.inFlight.size >= HASH_BATCHES_IN_FLIGHT && !this.failure) {
      await new Promise<void>((resolve) => { this.waiter = resolve; });
    }
    if (this.failure) throw this.failure;
    // A batch is shared, not copied: the next bytes go into one no thread is reading.
    this.batch = spare.pop() ?? new SharedArrayBuffer(HASH_BATCH_BYTES);
  }

  private acked(seq: number): void {
    const entry = this.inFlight.get(seq);
    if (entry && --entry.lanes === 0) {
      this.inFlight.delete(seq);
      if (spare.length < SPARE_BATCHES) spare.push(entry.batch);
    }
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private failed(err: Error): void {
    this.failure = err;
    this.wake();
  }
}
