import { createServer } from 'node:net';
import { freePort, retryOnEarlyExit, ServerExitedEarly } from '../../devservers/process';

describe('ports and restarts for the local servers', () => {
  it('picks a free port below the ephemeral range, where outgoing connections cannot take it', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(32_768);
    const server = createServer();
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, '127.0.0.1', () => ok()));
    await new Promise((done) => server.close(done));
  });

  it('starts a server again when it exited before it was ready, up to the given attempts', async () => {
    let calls = 0;
    const started = await retryOnEarlyExit(3, async () => {
      calls += 1;
      if (calls < 3) throw new ServerExitedEarly('exited with code 1');
      return 'ready';
    });
    expect(started).toBe('ready');
    expect(calls).toBe(3);
    calls = 0;
    await expect(retryOnEarlyExit(2, async () => { calls += 1; throw new ServerExitedEarly('port taken'); })).rejects.toThrow('port taken');
    expect(calls).toBe(2);
  });

  it('does not start a server again for any other failure', async () => {
    let calls = 0;
    await expect(retryOnEarlyExit(3, async () => { calls += 1; throw new Error('not ready after 60000 ms'); })).rejects.toThrow('not ready');
    expect(calls).toBe(1);
  });
});
