import { randomBytes } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FileRange, sendFileRange } from '../../s3/request-body';
import { tempDir } from '../harness/temp-dir';

/** A server that answers each PUT with what it received (or stops reading after `stopAfter` bytes and closes). */
function receiver(stopAfter?: number): Promise<{ server: Server; port: number; bodies: Buffer[] }> {
  const bodies: Buffer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let got = 0;
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (stopAfter !== undefined && got >= stopAfter) req.socket.destroy();
    });
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.end('ok');
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, port: (server.address() as AddressInfo).port, bodies })));
}

/** PUTs `range` to the receiver; resolves with the reply status, rejects with the request's error. */
function put(port: number, range: FileRange): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'PUT', path: '/', headers: { 'content-length': String(range.length) } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    sendFileRange(req, range);
  });
}

const openFds = () => readdirSync('/proc/self/fd').length;

describe('request bodies read from a range of a local file', () => {
  const dir = tempDir('request-body-');
  const data = randomBytes(3 * 65536 + 123);
  const file = join(dir, 'data.bin');
  writeFileSync(file, data);

  it('sends exactly the bytes of the range, through two reused buffers smaller than the range', async () => {
    const { server, port, bodies } = await receiver();
    try {
      expect(await put(port, new FileRange(file, 1000, 150_001, 4096))).toBe(200);
      expect(await put(port, new FileRange(file, 0, data.length, 65536, true))).toBe(200);
      expect(bodies[0]!.equals(data.subarray(1000, 151_001))).toBe(true);
      expect(bodies[1]!.equals(data)).toBe(true);
    } finally {
      server.close();
    }
  });

  it('fails with BodyLengthMismatch, sending nothing, when a whole-file range is not the file\'s size or a range runs past its end', async () => {
    const { server, port, bodies } = await receiver();
    try {
      await expect(put(port, new FileRange(file, 0, data.length - 1, 65536, true))).rejects.toMatchObject({ name: 'BodyLengthMismatch' });
      await expect(put(port, new FileRange(file, 0, data.length + 1, 65536, true))).rejects.toMatchObject({ name: 'BodyLengthMismatch' });
      await expect(put(port, new FileRange(file, 100, data.length, 65536))).rejects.toMatchObject({ name: 'BodyLengthMismatch' });
      expect(bodies).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('fails with a transient BodyReadError when the file cannot be read', async () => {
    const { server, port } = await receiver();
    try {
      await expect(put(port, new FileRange(join(dir, 'missing.bin'), 0, 10, 65536))).rejects.toMatchObject({ kind: 'transient', code: 'BodyReadError' });
      await expect(put(port, new FileRange(dir, 0, 10, 65536))).rejects.toMatchObject({ kind: 'transient', code: 'BodyReadError' }); // a folder: EISDIR
    } finally {
      server.close();
    }
  });

  it('stops reading and closes the file when the request ends before the body is sent', async () => {
    const big = join(dir, 'big.bin');
    writeFileSync(big, randomBytes(8 * 1024 * 1024));
    const { server, port } = await receiver(64 * 1024);
    try {
      const before = openFds();
      await expect(put(port, new FileRange(big, 0, 8 * 1024 * 1024, 16 * 1024, true))).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 100)); // the read loop notices the close and closes the file
      expect(openFds()).toBeLessThanOrEqual(before);
    } finally {
      server.close();
    }
  });
});
