/**
 * An HTTP endpoint that answers every S3 request with one fixed error, and counts requests.
 * Used to observe retry behaviour from the outside, where the real store cannot be made to fail.
 */
import { createServer, type Server } from 'node:http';

/** A running fault server. */
export interface FaultServer {
  endpoint: string;
  requests: () => number;
  close: () => Promise<void>;
}

/** Starts a server replying `status` with an S3 error document of `code`. */
export async function startFaultServer(status: number, code: string): Promise<FaultServer> {
  let count = 0;
  const server: Server = createServer((req, res) => {
    count += 1;
    req.resume();
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected ${code}</Message><RequestId>fault</RequestId></Error>`);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
