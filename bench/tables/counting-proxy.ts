/**
 * A pass-through HTTP proxy in front of MinIO that counts what each client takes from S3: the
 * bytes of reply bodies (object data, listings, error documents; not headers) and the requests,
 * GETs apart. Requests are forwarded verbatim (method, path, query, headers with Host, body),
 * so SigV4 signatures hold. Both tools of the tables benchmark read through it, so their bytes
 * are counted the same way, on the wire side of each client.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What passed through since the last reset. */
export interface ProxyCounts {
  /** Reply body bytes. */
  bytes: number;
  requests: number;
  /** GET requests (object reads and listings). */
  gets: number;
}

/** A running counting proxy. */
export interface CountingProxy {
  /** http://127.0.0.1:<port>: an S3 endpoint (path-style). */
  endpoint: string;
  counts(): ProxyCounts;
  reset(): void;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (http://host:port) on a free loopback port. */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  let counts: ProxyCounts = { bytes: 0, requests: 0, gets: 0 };
  const server: Server = createServer((req, res) => {
    counts.requests++;
    if (req.method === 'GET') counts.gets++;
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.rawHeaders);
      reply.on('data', (chunk: Buffer) => { counts.bytes += chunk.length; });
      reply.pipe(res);
    });
    forward.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(err));
    });
    req.pipe(forward);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    reset: () => { counts = { bytes: 0, requests: 0, gets: 0 }; },
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
