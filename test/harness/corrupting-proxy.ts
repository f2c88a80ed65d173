/**
 * A reverse proxy in front of the test MinIO that flips one byte of every GetObject body it
 * forwards (Host kept, so SigV4 signatures hold). MinIO never serves damaged bytes, so this is
 * how tests prove that a copy compares what it read with the source's checksum or ETag.
 */
import { createServer, request, type Server } from 'node:http';
import { Transform } from 'node:stream';

/** A running corrupting proxy. */
export interface CorruptingProxy {
  endpoint: string;
  close: () => Promise<void>;
}

/** Starts a proxy to `target` that XORs the body byte at `offset` (or the last one, if shorter) of each GET. */
export async function startCorruptingProxy(target: string, offset: number): Promise<CorruptingProxy> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      if (req.method !== 'GET' || reply.statusCode !== 200) return void reply.pipe(res);
      const size = Number(reply.headers['content-length'] ?? 0);
      const at = Math.min(offset, size - 1);
      let seen = 0;
      reply.pipe(new Transform({
        transform(chunk: Buffer, _encoding, done) {
          if (at >= seen && at < seen + chunk.length) {
            chunk = Buffer.from(chunk);
            chunk[at - seen] = chunk[at - seen]! ^ 0xff;
          }
          seen += chunk.length;
          done(null, chunk);
        },
      })).pipe(res);
    });
    forward.on('error', (err) => { res.destroy(err); });
    req.pipe(forward);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
