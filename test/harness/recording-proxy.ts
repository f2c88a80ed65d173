/**
 * A reverse proxy in front of the test MinIO that records each request's method, path, query
 * and x-amz-acl header, then forwards it unchanged (Host included, so SigV4 signatures hold).
 * MinIO stores no object ACLs (GetObjectAcl answers a fixed FULL_CONTROL grant), so this is how
 * tests prove that the canned ACL is sent. `partDelayMs` holds each UploadPart back, to make a
 * large upload last long enough to act on it mid-way. `dropChecksums` removes every checksum from
 * the replies (headers and XML), as a store without x-amz-checksum-* support answers;
 * `corruptPart` flips one byte of that UploadPart's body on the way.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Transform } from 'node:stream';

/** One forwarded request. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  acl?: string;
  /** The x-amz-content-sha256 header: the signed payload hash, or how the payload is sent. */
  contentSha256?: string;
  contentMd5?: string;
}

/** How the proxy alters what it forwards. */
export interface ProxyOptions {
  partDelayMs?: number;
  dropChecksums?: boolean;
  /** Part number whose first body byte is flipped (every upload's). */
  corruptPart?: number;
}

/** Forwards `reply` without its x-amz-checksum-* headers and <Checksum...> elements. */
async function withoutChecksums(reply: IncomingMessage, res: ServerResponse): Promise<void> {
  let body = '';
  for await (const chunk of reply) body += chunk;
  body = body.replace(/<Checksum[A-Za-z0-9]*>[^<]*<\/Checksum[A-Za-z0-9]*>/g, '');
  const headers = Object.fromEntries(Object.entries(reply.headers).filter(([name]) => !name.startsWith('x-amz-checksum-')));
  res.writeHead(reply.statusCode ?? 502, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Flips the first byte of a request body. */
const flipFirstByte = () => {
  let first = true;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (first && chunk.length > 0) {
        chunk = Buffer.from(chunk);
        chunk[0] = chunk[0]! ^ 0xff;
        first = false;
      }
      done(null, chunk);
    },
  });
};

/** A running recording proxy. */
export interface RecordingProxy {
  endpoint: string;
  requests: RecordedRequest[];
  close: () => Promise<void>;
}

/** Starts a proxy forwarding to `target` (e.g. http://127.0.0.1:9000). */
export async function startRecordingProxy(target: string, options: ProxyOptions = {}): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const header = (name: string) => (typeof req.headers[name] === 'string' ? req.headers[name] as string : undefined);
    requests.push({ method: req.method ?? '', path: decodeURIComponent(url.pathname), query: url.search, acl: header('x-amz-acl'), contentSha256: header('x-amz-content-sha256'), contentMd5: header('content-md5') });
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (reply) => {
      if (options.dropChecksums && req.method !== 'GET') return void withoutChecksums(reply, res).catch((err: Error) => res.destroy(err));
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    forward.on('error', (err) => { res.destroy(err); });
    const part = url.searchParams.get('partNumber');
    const delay = options.partDelayMs && part ? options.partDelayMs : 0;
    const body = options.corruptPart !== undefined && part === String(options.corruptPart) ? req.pipe(flipFirstByte()) : req;
    setTimeout(() => body.pipe(forward), delay);
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
