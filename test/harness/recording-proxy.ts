/**
 * A reverse proxy in front of the test MinIO that records each request's method, path, query
 * and x-amz-acl header, then forwards it unchanged (Host included, so SigV4 signatures hold).
 * MinIO stores no object ACLs (GetObjectAcl answers a fixed FULL_CONTROL grant), so this is how
 * tests prove that the canned ACL is sent. `partDelayMs` holds each UploadPart back, to make a
 * large upload last long enough to act on it mid-way.
 */
import { createServer, request, type Server } from 'node:http';

/** One forwarded request. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  acl?: string;
}

/** A running recording proxy. */
export interface RecordingProxy {
  endpoint: string;
  requests: RecordedRequest[];
  close: () => Promise<void>;
}

/** Starts a proxy forwarding to `target` (e.g. http://127.0.0.1:9000). */
export async function startRecordingProxy(target: string, options: { partDelayMs?: number } = {}): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const acl = req.headers['x-amz-acl'];
    requests.push({ method: req.method ?? '', path: decodeURIComponent(url.pathname), query: url.search, acl: typeof acl === 'string' ? acl : undefined });
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    forward.on('error', (err) => { res.destroy(err); });
    const delay = options.partDelayMs && url.searchParams.has('partNumber') ? options.partDelayMs : 0;
    setTimeout(() => req.pipe(forward), delay);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
