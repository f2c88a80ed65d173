import { createBucket, putObjects } from '../harness/minio-admin';
import { minioSource, rootKeyEnv, runCli, writeConfigFile } from '../harness/connector';
import { startCli } from '../harness/spawn-cli';
import { testEnv } from '../harness/test-env';
import { freePort } from '../../devservers/process';

/** The worker's "worker started" log line, parsed from its stderr. */
function startedLine(stderr: string): { memory: unknown } {
  return stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((l) => l.msg === 'worker started');
}

describe('the worker command', () => {
  it('serves probes with JSON logs that never contain the secret, and shuts down cleanly on SIGTERM', async () => {
    const bucket = await createBucket('worker');
    await putObjects(bucket, [{ key: 'x.csv', body: 'a\n1\n' }]);
    const file = writeConfigFile({ sources: { src: minioSource(bucket) } });
    const taskQueue = `worker-${Date.now()}`;
    const flags = ['--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue];
    const worker = startCli(['worker', ...flags], { ...rootKeyEnv(), LOG_LEVEL: 'debug', TEMPORAL_LOG_LEVEL: 'DEBUG' });
    try {
      await worker.waitFor(/"msg":"worker started"/);
      // Only the worker has the keys: the CLI runs without them.
      const check = await runCli(['check', 'src', '--json', ...flags], { TEST_MINIO_KEY: '', TEST_MINIO_SECRET: '' });
      expect(JSON.parse(check.stdout).probes.map((p: { status: string }) => p.status)).toEqual(['ok', 'ok']);
    } finally {
      expect(await worker.stop('SIGTERM')).toBe(0);
    }
    const { stderr } = worker.output();
    const lines = stderr.split('\n').filter((l) => l.startsWith('{'));
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(expect.arrayContaining(['worker started', 'worker stopped']));
    expect(stderr).not.toContain(testEnv().minio.rootPassword);
    // The launcher's memory settings reached node (bin/s3-connector.js, worker/heap.ts).
    expect(startedLine(stderr).memory).toEqual({ mallocArenaMax: '2', heapGrowingPercent: 50, initialOldSpaceMiB: 80, maxSemiSpaceMiB: 4 });
  });

  it('writes readable log lines with --log-format pretty, at the --log-level asked for', async () => {
    const file = writeConfigFile({ sources: { src: minioSource(await createBucket('worker-pretty')) } });
    const flags = ['--config', file, '--address', testEnv().temporalAddress, '--task-queue', `worker-pretty-${Date.now()}`];
    const worker = startCli(['worker', ...flags, '--log-format', 'pretty', '--log-level', 'info'], { ...rootKeyEnv(), LOG_LEVEL: 'debug' });
    try {
      await worker.waitFor(/INFO  worker started /);
    } finally {
      expect(await worker.stop('SIGTERM')).toBe(0);
    }
    const lines = worker.output().stderr.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d{3} /.test(l));
    expect(lines.some((l) => / INFO  worker stopped/.test(l))).toBe(true);
    expect(lines.some((l) => / DEBUG /.test(l))).toBe(false); // --log-level wins over LOG_LEVEL
    expect(worker.output().stderr).not.toMatch(/^\{"level"/m);
  });

  it('keeps an operator\'s own malloc arenas and node flags over the launcher\'s, and the worker option over both', async () => {
    const file = writeConfigFile({ sources: { src: minioSource(await createBucket('worker-flags')) } });
    const flags = ['--config', file, '--address', testEnv().temporalAddress, '--task-queue', `worker-flags-${Date.now()}`];
    const memoryOf = async (env: Record<string, string>, extra: string[] = []) => {
      const worker = startCli(['worker', ...flags, ...extra], { ...rootKeyEnv(), ...env });
      try {
        await worker.waitFor(/"msg":"worker started"/);
      } finally {
        expect(await worker.stop('SIGTERM')).toBe(0);
      }
      return startedLine(worker.output().stderr).memory;
    };
    expect(await memoryOf({ MALLOC_ARENA_MAX: '4', S3_CONNECTOR_NODE_FLAGS: '--heap-growing-percent=0 --initial-old-space-size=64 --max-semi-space-size=16' }))
      .toEqual({ mallocArenaMax: '4', heapGrowingPercent: 0, initialOldSpaceMiB: 64, maxSemiSpaceMiB: 16 });
    expect(await memoryOf({}, ['--heap-growing-percent', '20'])).toEqual({ mallocArenaMax: '2', heapGrowingPercent: 20, initialOldSpaceMiB: 80, maxSemiSpaceMiB: 4 });
  });
});

describe('the dev command', () => {
  it('starts a Temporal dev server with its Web UI and a worker that runs probes, and stops both on SIGINT', async () => {
    const bucket = await createBucket('dev');
    const file = writeConfigFile({ sources: { src: minioSource(bucket) } });
    const [port, uiPort] = [await freePort(), await freePort()];
    const stateDir = `${testEnv().runDir}/dev-${port}`;
    const dev = startCli(['dev', '--config', file, '--port', String(port), '--ui-port', String(uiPort), '--state-dir', stateDir], rootKeyEnv());
    try {
      await dev.waitFor(/"msg":"worker started"/, 90_000);
      expect(dev.output().stderr).toContain(`Temporal Web UI: http://127.0.0.1:${uiPort}`);
      expect((await fetch(`http://127.0.0.1:${uiPort}/`)).status).toBe(200);
      const check = await runCli(['check', 'src', '--json', '--config', file, '--address', `127.0.0.1:${port}`]);
      expect(check.code).toBe(0);
    } finally {
      expect(await dev.stop('SIGINT')).toBe(0);
    }
    await expect(fetch(`http://127.0.0.1:${uiPort}/`)).rejects.toThrow();
  });

  it('refuses to start when its port is taken, instead of attaching to the server that listens there', async () => {
    const file = writeConfigFile({ sources: {} });
    const taken = Number(testEnv().temporalAddress.split(':').at(-1)); // the test run's own server
    const dev = await runCli(['dev', '--config', file, '--port', String(taken), '--ui-port', String(await freePort()), '--state-dir', `${testEnv().runDir}/dev-taken`]);
    expect(dev.code).toBe(2);
    expect(dev.stderr).toContain(`dev: port ${taken} on 127.0.0.1 is taken`);
    expect(dev.stderr).toContain('choose another port with --port');
    expect(dev.stderr).not.toContain('worker started');
  });
});
