/**
 * The body of a GET that survives a reset: when the reply stream fails for a passing reason
 * after some bytes, the rest is asked for again (`Range: bytes=<received>-`, pinned to the same
 * version by the caller's If-Match) and streamed on, so that a large object cut at 90% costs
 * its last 10% again, not all of it. The consumer sees one uninterrupted stream, so the digests
 * it computes on the way cover the whole object as if it had come in one reply. Each resume
 * spends one retry of the object's budget.
 */
import type http from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { S3OperationError } from './errors';
import { backoffMs, sleep, type RetryBudget } from './retry';

/** How a resumable body asks for the rest. */
export interface ResumeOptions {
  /** The rest of the object from byte `offset` on; its reply must be a 206 starting there. */
  reopen: (offset: number) => Promise<{ headers: http.IncomingHttpHeaders; body: http.IncomingMessage }>;
  /** Retries left for this object, shared with the caller's own retries of it. */
  budget: RetryBudget;
  signal?: AbortSignal;
  /** Told of each resume: the error that cut the body and the offset asked for. */
  onResume?: (err: Error, offset: number) => void;
  /** For messages: `GetObject s3://bucket/key`. */
  what: string;
}

/** The first byte a 206 reply holds, from its Content-Range (`bytes 100-199/200`). */
function rangeStart(headers: http.IncomingHttpHeaders): number | undefined {
  const match = /^bytes (\d+)-/.exec(String(headers['content-range'] ?? ''));
  return match ? Number(match[1]) : undefined;
}

/** `first`'s body, resumed from where it failed while the budget lasts. */
export function resumableBody(first: http.IncomingMessage, options: ResumeOptions): Readable {
  const out = new PassThrough();
  let received = 0;
  let resumes = 0;
  const fail = (err: Error): void => { out.destroy(err); };
  const attach = (body: http.IncomingMessage) => {
    body.on('data', (chunk: Buffer) => { received += chunk.length; });
    body.once('error', (err) => {
      body.unpipe(out);
      void resume(err);
    });
    body.pipe(out);
  };
  const resume = async (cause: Error): Promise<void> => {
    if (options.signal?.aborted || options.budget.remaining <= 0) return fail(cause);
    options.budget.remaining--;
    resumes++;
    options.onResume?.(cause, received);
    // An abort ends the wait early; the body then fails with what cut it.
    await sleep(backoffMs(resumes), options.signal).catch(() => undefined);
    if (options.signal?.aborted) return fail(cause);
    try {
      const rest = await options.reopen(received);
      if (rangeStart(rest.headers) !== received) {
        rest.body.destroy();
        return fail(new S3OperationError('transient', 'RangeNotHonoured', `${options.what}: asked for the rest from byte ${received}, the store sent ${String(rest.headers['content-range'] ?? 'the whole object')}.`));
      }
      attach(rest.body);
    } catch (err) {
      if (err instanceof S3OperationError && err.kind === 'transient') return resume(err);
      fail(err as Error);
    }
  };
  attach(first);
  return out;
}
