/**
 * How the lean PUTs (lean-client.ts) write a streamed body into their request: a stream, held to
 * its announced length, or a range of a local file read into two reused buffers.
 */
import type http from 'node:http';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { S3OperationError } from './errors';

/** An error whose name classifyS3Error reads as its code. */
export const named = (name: string, message: string) => Object.assign(new Error(message), { name });

/**
 * `length` bytes of the local file `path` from `start`, sent `chunkBytes` at a time. `wholeFile`:
 * the range is meant to be the whole file, so a file of another size fails the request
 * (BodyLengthMismatch) instead of sending the first `length` bytes.
 *
 * Why not fs.createReadStream: it allocates a new buffer for every read, outside V8's heap. V8
 * runs full collections to reclaim that external memory, which costs a streaming export CPU, and
 * the dead buffers waiting for one add to its peak RSS. Here two buffers per upload are reused:
 * one is read into while the other is written.
 */
export class FileRange {
  constructor(readonly path: string, readonly start: number, readonly length: number, readonly chunkBytes: number, readonly wholeFile = false) {}
}

/**
 * Pipes `body` into `req`, holding it to exactly `length` bytes: a stream that runs short would
 * leave the store waiting for the rest until the socket timeout, and one that runs long would
 * send bytes the store reads as the start of the next request. Either fails the request
 * (BodyLengthMismatch). A failing body fails the request; a request that ends before the body
 * (error, abort, timeout, early reply) destroys the body.
 */
export function sendStream(req: http.ClientRequest, body: Readable, length: number): void {
  let sent = 0;
  const mismatch = () => named('BodyLengthMismatch', `the request body was to be ${length} bytes but its stream gave ${sent}${sent > length ? ' or more' : ''}`);
  // Registered before pipe's own listeners, so a chunk past `length` is never written.
  body.on('data', (chunk: Buffer) => {
    sent += chunk.length;
    if (sent > length) req.destroy(mismatch());
  });
  body.once('end', () => {
    if (sent < length) req.destroy(mismatch());
  });
  body.on('error', (err) => req.destroy(err));
  req.once('close', () => {
    if (!body.readableEnded) body.destroy();
  });
  body.pipe(req);
}

/**
 * Writes `range` into `req` and ends it. A buffer is read into again only once its write has
 * been flushed to the socket (the write's callback), so no byte is overwritten before it is
 * sent. A failing read destroys the request with a transient BodyReadError; a request that ends
 * first (error, abort, timeout, early reply) stops the reads. The file is closed either way.
 */
export function sendFileRange(req: http.ClientRequest, range: FileRange): void {
  let closed = false;
  const whenClosed = new Promise<void>((resolve) => req.once('close', () => { closed = true; resolve(); }));
  const write = (chunk: Buffer) => Promise.race([whenClosed, new Promise<void>((resolve) => req.write(chunk, () => resolve()))]);
  const run = async () => {
    const file = await open(range.path, 'r');
    try {
      const size = (await file.stat()).size;
      if (range.wholeFile ? size !== range.length : size < range.start + range.length) {
        req.destroy(named('BodyLengthMismatch', `the request body was to be ${range.length} bytes of ${range.path} but the file holds ${size - range.start}`));
        return;
      }
      const buffers = [Buffer.allocUnsafe(Math.min(range.chunkBytes, range.length)), Buffer.allocUnsafe(Math.min(range.chunkBytes, range.length))];
      let previous: Promise<void> = Promise.resolve();
      for (let sent = 0, i = 0; sent < range.length && !closed; i ^= 1) {
        const buffer = buffers[i]!;
        const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, range.length - sent), range.start + sent);
        if (bytesRead === 0) {
          req.destroy(named('BodyLengthMismatch', `the request body was to be ${range.length} bytes but ${range.path} gave ${sent}`));
          return;
        }
        sent += bytesRead;
        const written = write(buffer.subarray(0, bytesRead));
        await previous; // the other buffer is free again once its write is flushed
        previous = written;
      }
      await previous;
      if (!closed) req.end();
    } finally {
      await file.close();
    }
  };
  run().catch((err: Error) => {
    req.destroy(new S3OperationError('transient', 'BodyReadError', `reading the request body from ${range.path} failed: ${err.message}`));
  });
}
