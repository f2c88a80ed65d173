/**
 * GetObject and PutObject without the SDK's command stack: one SigV4-signed request on the
 * source's own keep-alive agents. For a small object the SDK's middleware (serde, endpoint rules,
 * retry, checksum and signing plugins) costs several times the request itself, and a sync makes
 * one GET per object. Syncs read every object through this, and exports write every file up to
 * the multipart threshold and every part of larger ones through it (small ones from memory,
 * larger ones streamed); every other call stays on the SDK.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { classifyS3Error } from './errors';
import type { Transport } from './http-handler';
import { FileRange, named, sendFileRange, sendStream } from './request-body';
import { canonicalQuery, SigV4Signer, uriEscape } from './sigv4';

/** Where the bucket is served and how requests reach it. */
export interface ReaderTarget {
  endpoint: URL;
  bucket: string;
  region: string;
  pathStyle: boolean;
  credentials: AwsCredentialIdentityProvider;
  transport: Transport;
}

/** Conditions and options of one read. */
export interface ReadOptions {
  /** Fail with PreconditionFailed unless the object still has this ETag. */
  ifMatch?: string;
  /** Ask for the stored checksums (x-amz-checksum-*) in the response headers. */
  checksums?: boolean;
  /** Aborts the request, and the body while it streams. */
  signal?: AbortSignal;
  /** Only the bytes from this offset on (a 206 reply). */
  fromByte?: number;
}

/** An object's response: headers now, body as it streams. */
export interface ObjectResponse {
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

/** Reads objects of one bucket. */
export type ObjectReader = (key: string, options?: ReadOptions) => Promise<ObjectResponse>;

/** S3 wants RFC 3986 escaping of each key segment, `/` kept. */
function encodeKey(key: string): string {
  return key.split('/').map(uriEscape).join('/');
}

/** Collects a (small) error body: S3 errors are a short XML document. */
async function errorBody(res: http.IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of res) if (text.length < 65536) text += chunk;
  return text;
}

/**
 * The bytes of a PutObject: a buffer (small files, read whole), a range of a local file, or a
 * stream of exactly `contentLength` bytes (larger files, so memory holds one or two read buffers
 * per upload, not the file).
 */
export type PutBody = { body: Buffer | FileRange } | { body: Readable; contentLength: number };

/** A PutObject: its bytes, their SHA-256 and extra headers (content-length is added). */
export type PutRequest = PutBody & {
  /**
   * SHA-256 of the body, hex: signed as x-amz-content-sha256, so no unsigned bytes travel even
   * over plain HTTP, and the store refuses other bytes (400, XAmzContentSHA256Mismatch) without
   * storing them.
   */
  sha256: string;
  /** Extra x-amz-* headers (checksum, ACL). */
  headers?: Record<string, string>;
  /** Sends the bytes as part `n` of the multipart upload `uploadId` (UploadPart) instead of as the object. */
  part?: { uploadId: string; n: number };
  /**
   * Cancels the request. A stream body is destroyed whenever the request fails, is aborted or
   * times out, so its file descriptor never outlives the call; a file range stops reading and
   * closes its file as soon as its current read returns (request-body.ts).
   */
  signal?: AbortSignal;
};

/** Writes objects of one bucket; resolves with the reply's headers, its (empty) body consumed. */
export type ObjectWriter = (key: string, put: PutRequest) => Promise<http.IncomingHttpHeaders>;

interface LeanRequest {
  method: 'GET' | 'PUT';
  operation: 'GetObject' | 'PutObject' | 'UploadPart';
  key: string;
  /** Canonical query string (sigv4.ts), or empty. */
  query: string;
  headers: Record<string, string>;
  body?: Buffer | FileRange | { stream: Readable; length: number };
  signal?: AbortSignal;
}

/** Builds the lean GET and PUT of `target`. */
export function leanClient(target: ReaderTarget): { read: ObjectReader; write: ObjectWriter } {
  const send = requester(target);
  return {
    read: (key, options = {}) => {
      const headers: Record<string, string> = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
      if (options.ifMatch) headers['if-match'] = options.ifMatch;
      if (options.checksums) headers['x-amz-checksum-mode'] = 'ENABLED';
      if (options.fromByte !== undefined) headers.range = `bytes=${options.fromByte}-`;
      return send({ method: 'GET', operation: 'GetObject', key, query: '', headers, signal: options.signal });
    },
    write: async (key, put) => {
      const body = 'contentLength' in put ? { stream: put.body, length: put.contentLength } : put.body;
      const headers = { ...put.headers, 'x-amz-content-sha256': put.sha256, 'content-length': String(body.length) };
      const query = put.part ? canonicalQuery({ partNumber: String(put.part.n), uploadId: put.part.uploadId }) : '';
      const reply = await send({ method: 'PUT', operation: put.part ? 'UploadPart' : 'PutObject', key, query, headers, body, signal: put.signal });
      reply.body.resume(); // an unread reply would keep its keep-alive socket out of the pool
      return reply.headers;
    },
  };
}

/** The text of an XML element as written (MinIO escapes quotes in messages: `&#39;x-amz-content-sha256&#39;`). */
const unescapeXml = (text: string) => text.replace(/&(#39|apos|quot|lt|gt|amp);/g, (_, e: string) => ({ '#39': "'", apos: "'", quot: '"', lt: '<', gt: '>', amp: '&' })[e]!);

/** How long a body waits for "100 Continue" before it is sent anyway (the AWS SDK waits 1 s). */
const CONTINUE_TIMEOUT_MS = 1000;

function requester(target: ReaderTarget): (request: LeanRequest) => Promise<ObjectResponse> {
  const secure = target.endpoint.protocol === 'https:';
  const hostname = target.pathStyle ? target.endpoint.hostname : `${target.bucket}.${target.endpoint.hostname}`;
  const host = target.endpoint.port ? `${hostname}:${target.endpoint.port}` : hostname;
  const port = target.endpoint.port ? Number(target.endpoint.port) : undefined;
  const signer = new SigV4Signer(target.region);
  const { agent, connectionTimeoutMs, socketTimeoutMs } = secure
    ? { agent: target.transport.httpsAgent, ...target.transport }
    : { agent: target.transport.httpAgent, ...target.transport };
  return async ({ method, operation, key, query, headers: extra, body, signal }) => {
    const what = `${operation} s3://${target.bucket}/${key}`;
    const path = `${target.pathStyle ? `/${target.bucket}` : ''}/${encodeKey(key)}`;
    const headers: Record<string, string> = { host, ...extra };
    const stream = body && !Buffer.isBuffer(body) && !(body instanceof FileRange) ? body : undefined;
    // Sent piece by piece (see below), not in one write.
    const streamed = stream !== undefined || body instanceof FileRange;
    // A body that fails while the request is being signed (a file that cannot be opened) must
    // not raise an unhandled 'error'; the request is then never sent.
    let early: Error | undefined;
    const noteEarly = (err: Error) => { early ??= err; };
    stream?.stream.on('error', noteEarly);
    let signed;
    try {
      signed = signer.sign({ method, path, query, headers }, await target.credentials());
      if (early) throw early;
    } catch (err) {
      stream?.stream.destroy();
      throw classifyS3Error(err, operation, target.bucket, what);
    } finally {
      stream?.stream.off('error', noteEarly);
    }
    return new Promise<ObjectResponse>((resolve, reject) => {
      // A failed request never leaves its body open: by the time the caller sees the error, the
      // stream (and the file descriptor behind it) is destroyed.
      const fail = (err: unknown) => {
        stream?.stream.destroy();
        reject(classifyS3Error(err, operation, target.bucket, what));
      };
      // `expect` is unsigned, as SigV4 signers leave it (it is hop-by-hop).
      const expect = streamed ? { expect: '100-continue' } : {};
      const req = (secure ? https : http).request({ agent, method, hostname, port, path: query ? `${path}?${query}` : path, headers: { ...signed, ...expect }, signal });
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        // connectionTimeoutMs bounds the TCP (and TLS) connect only, as the SDK's handler does.
        const timer = setTimeout(() => req.destroy(Object.assign(new Error(`did not establish a connection with the server within the configured timeout of ${connectionTimeoutMs} ms`), { name: 'TimeoutError' })), connectionTimeoutMs);
        socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      let response: http.IncomingMessage | undefined;
      // socketTimeoutMs bounds any silence on the socket, including while the body streams (either
      // way); the body's reader then sees this error instead of a bare "aborted".
      req.setTimeout(socketTimeoutMs, () => {
        const err = named('TimeoutError', `socket timed out after ${socketTimeoutMs} ms of inactivity`);
        response?.destroy(err);
        req.destroy(err);
      });
      // Once a reply has come, it decides the outcome: a store that refuses a PUT early (403) and
      // closes the connection makes the unfinished upload fail with EPIPE or ECONNRESET, which
      // must not hide the reason it gave. Errors after that reach the reply's reader instead.
      req.on('error', (err) => {
        if (!response) fail(err);
      });
      req.once('response', (res) => {
        response = res;
        const status = res.statusCode ?? 0;
        if (status === 200 || status === 206) {
          resolve({ headers: res.headers, body: res });
          return;
        }
        // A store that refuses an upload may close the connection before its error document is
        // read whole ("aborted"): the status it gave still decides the outcome.
        void errorBody(res).catch(() => '').then((xml) => {
          const code = /<Code>([^<]*)<\/Code>/.exec(xml)?.[1] ?? (status === 404 ? 'NotFound' : status === 412 ? 'PreconditionFailed' : `HTTP${status}`);
          const message = unescapeXml(/<Message>([^<]*)<\/Message>/.exec(xml)?.[1] ?? `HTTP ${status}`);
          return { name: code, message, $metadata: { httpStatusCode: status }, $response: { headers: res.headers } };
        }).then((err) => {
          // A body still being sent after a refusal: stop sending it.
          if (!req.writableFinished) req.destroy();
          fail(err);
        });
      });
      if (!streamed) return void req.end(body);
      // Streamed and file-range bodies (files over 1 MiB, multipart parts) wait for the store's
      // "100 Continue" (as the AWS SDK's bodies over 1 MB do): a store that refuses the request
      // (403, 400) then replies before any byte of the body is sent, instead of closing the
      // connection under it, which the upload would report as EPIPE or ECONNRESET in place of
      // the refusal. A store that ignores the header gets the body after CONTINUE_TIMEOUT_MS.
      let sending = false;
      const send = () => {
        clearTimeout(fallback);
        if (sending || response || req.destroyed) return;
        sending = true;
        if (stream) sendStream(req, stream.stream, stream.length);
        else sendFileRange(req, body as FileRange);
      };
      // A stream failing while it waits (a file that cannot be read) fails the request.
      stream?.stream.on('error', (err) => sending || req.destroy(err));
      const fallback = setTimeout(send, CONTINUE_TIMEOUT_MS);
      req.once('continue', send);
      req.once('close', () => clearTimeout(fallback));
      req.flushHeaders();
    });
  };
}
