/**
 * Real loopback servers that misbehave in time, for the timeout tests: one that accepts and
 * never answers, one that stalls in the middle of a response body, and a listener whose full
 * accept queue makes TCP connects hang.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';

/** A started server: where it listens, and how to stop it (dropping every open connection). */
export interface StallingServer {
  endpoint: string;
  port: number;
  /** TCP connections the server accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

function track(server: net.Server): { accepted: () => number; closeAll: () => Promise<void> } {
  const sockets = new Set<net.Socket>();
  let count = 0;
  server.on('connection', (socket) => {
    count++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    accepted: () => count,
    closeAll: () => new Promise<void>((done) => {
      for (const s of sockets) s.destroy();
      server.close(() => done());
    }),
  };
}

async function listen(server: net.Server): Promise<StallingServer> {
  const { accepted, closeAll } = track(server);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as net.AddressInfo).port;
  return { endpoint: `http://127.0.0.1:${port}`, port, accepted, close: closeAll };
}

/** A TCP server that accepts connections, reads what is sent, and never writes a byte. */
export function startSilentServer(): Promise<StallingServer> {
  return listen(net.createServer((socket) => socket.resume()));
}

/**
 * An HTTP server that answers every request with 200, `Content-Length: size` and only the
 * first `sent` bytes of the body, then stalls with the connection open.
 */
export function startStallingBodyServer(size: number, sent: number): Promise<StallingServer> {
  return listen(http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Length': String(size), 'Content-Type': 'application/octet-stream', ETag: '"stall"' });
    res.write(Buffer.alloc(sent, 'x'));
  }));
}

/** A loopback port where TCP connects hang: nothing there completes the handshake. */
export interface HangingListener {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A listener whose accept queue is full, so new TCP connects hang (Linux drops their SYNs).
 * Node always accepts, so a python3 process holds a socket with listen(0) that never accepts;
 * one connection fills its queue. Checks that a fresh connect really hangs before returning.
 */
export async function startHangingListener(): Promise<HangingListener> {
  const python = spawn('python3', ['-c', [
    'import socket, sys',
    's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
    'print(s.getsockname()[1], flush=True)',
    'sys.stdin.read()',
  ].join('\n')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((ok, fail) => {
    python.once('error', fail);
    python.once('exit', (code) => fail(new Error(`python3 exited with ${code} before listening`)));
    python.stdout.once('data', (d: Buffer) => ok(Number(String(d).trim())));
  });
  const fillers: net.Socket[] = [];
  const connectOnce = () => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    fillers.push(socket);
    return socket;
  };
  await new Promise((ok) => connectOnce().once('connect', ok));
  connectOnce(); // a second one, in case the kernel allows one more than the backlog
  const probe = connectOnce();
  await new Promise((r) => setTimeout(r, 500));
  const close = async () => {
    for (const s of fillers) s.destroy();
    python.stdin.end();
    python.kill();
  };
  if (!probe.connecting) {
    await close();
    throw new Error('a connect to the full listener completed: this kernel does not make connects hang this way.');
  }
  return { endpoint: `http://127.0.0.1:${port}`, port, close };
}
