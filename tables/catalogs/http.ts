/**
 * JSON over HTTP for the REST catalogs, through the source's own connection settings (its proxy,
 * extra CAs, client certificate and timeouts: s3/http-handler.ts), so a catalog is reached the way
 * the source's store is.
 */
import http from 'node:http';
import https from 'node:https';
import type { Transport } from '../../s3/http-handler';

/** A reply: its status, headers and body text. */
export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One request. `body` is sent as is (the caller sets its content type). */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  body?: string;
}

/** Bodies larger than this are refused: a catalog reply is metadata, not data. */
const MAX_REPLY_BYTES = 64 * 1024 * 1024;

/** Sends `request` through `transport`'s agents; rejects on network failure or timeout (never on an HTTP status). */
export function sendHttp(request: HttpRequest, transport: Transport): Promise<HttpReply> {
  const secure = request.url.protocol === 'https:';
  const send = secure ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(request.url, {
      method: request.method,
      agent: secure ? transport.httpsAgent : transport.httpAgent,
      headers: { accept: 'application/json', ...request.headers, ...(request.body !== undefined ? { 'content-length': String(Buffer.byteLength(request.body)) } : {}) },
      timeout: transport.socketTimeoutMs,
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_REPLY_BYTES) {
          req.destroy(new Error(`reply larger than ${MAX_REPLY_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // The connect itself is bounded by connectionTimeoutMs, any silence after it by socketTimeoutMs.
    const connectTimer = setTimeout(() => req.destroy(Object.assign(new Error(`no connection after ${transport.connectionTimeoutMs} ms`), { code: 'ETIMEDOUT' })), transport.connectionTimeoutMs);
    req.on('socket', (socket) => {
      if (!socket.connecting) clearTimeout(connectTimer);
      else socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no reply for ${transport.socketTimeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', (err) => {
      clearTimeout(connectTimer);
      reject(err);
    });
    req.on('close', () => clearTimeout(connectTimer));
    req.end(request.body);
  });
}
