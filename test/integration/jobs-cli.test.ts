import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile, type CliResult } from '../harness/connector';
import { jsonLines, ownStderr } from '../harness/cli-output';
import { createBucket, putObjects } from '../harness/minio-admin';
import { startCli, type LongCli } from '../harness/spawn-cli';
import { localDataset } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';

const FILES = Array.from({ length: 5 }, (_, i) => ({ key: `in/orders/${i}.csv`, body: `id\n${i}\n` }));
const BYTES = FILES.reduce((n, f) => n + f.body.length, 0);

/** Exit code of a long CLI process once it ends by itself. */
function exitCode(cli: LongCli): Promise<number | null> {
  if (cli.child.exitCode !== null) return Promise.resolve(cli.child.exitCode);
  return new Promise((ok) => cli.child.once('exit', (code) => ok(code)));
}

/** Runs `command` until `accept` takes its result (visibility lags a start or close by about a second). */
async function pollCli(command: () => Promise<CliResult>, accept: (r: CliResult) => boolean, timeoutMs = 20_000): Promise<CliResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await command();
    if (accept(result) || Date.now() > deadline) return result;
    await new Promise((ok) => setTimeout(ok, 250));
  }
}

describe('running jobs from the CLI', () => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const job = (name: string) => `${name}-${suffix}`;
  let bucket: string;
  let storeRoot: string;
  let raw: Record<string, unknown>;
  let file: string;
  const flags = (taskQueue: string) => ['--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue];

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv()); // the in-test workers resolve ${env:...} from this process
    bucket = await createBucket('jobs');
    storeRoot = mkdtempSync(join(tmpdir(), 'jobs-store-'));
    await putObjects(bucket, FILES);
    const sync = (dataset: string, mode: string) => ({ source: 'src', subfolder: 'orders/', dataset, mode });
    raw = {
      datasetStore: storeRoot,
      sources: { src: minioSource(bucket, { url: `s3://${bucket}/in/` }), gone: minioSource(`${bucket}-missing`) },
      syncs: {
        [job('waited')]: sync('waited', 'bulk'),
        [job('twice')]: sync('twice', 'incremental'),
        [job('watched')]: sync('watched', 'bulk'),
        [job('broken')]: { source: 'gone', dataset: 'broken', mode: 'bulk' },
        [job('media')]: { ...sync('media', 'media'), mediaTypes: ['image/png'] },
      },
    };
    file = writeConfigFile(raw);
  });

  it('lands the files of `sync JOB --wait --json` as one transaction and ends with the summary line', async () => {
    const result = await withWorker(config(raw), (q) => runCli(['sync', job('waited'), '--wait', '--json', ...flags(q)]));
    expect(ownStderr(result.stderr)).toBe(''); // no progress bar without a terminal
    expect(result.code).toBe(0);
    const summary = jsonLines(result.stdout).at(-1);
    expect(summary).toEqual({
      workflowId: `bulkImport/${job('waited')}`, runId: expect.any(String), status: 'completed',
      transaction: 1, filesAdded: FILES.length, filesSkipped: 0, bytes: BYTES, filesVerifiedBySizeOnly: 0,
    });
    const view = await localDataset(storeRoot, 'waited').view();
    expect([...view.keys()].sort()).toEqual(FILES.map((f) => f.key.slice('in/'.length)));
    expect(view.get('orders/3.csv')).toMatchObject({ size: 'id\n3\n'.length, transaction: 1 });
  });

  it('attaches a second `sync` of a running job to the first run instead of starting another', async () => {
    const queue = `jobs-twice-${suffix}`; // no worker polls it yet, so the first run stays running
    const first = await runCli(['sync', job('twice'), '--json', '--allow-no-worker', ...flags(queue)]);
    expect(first.code).toBe(0);
    const started = jsonLines(first.stdout)[0]!;
    expect(started).toEqual({ workflowId: `incrementalSync/${job('twice')}`, runId: expect.any(String), status: 'running', attached: false });

    const second = startCli(['sync', job('twice'), '--wait', '--json', '--allow-no-worker', ...flags(queue)]);
    await second.waitFor(/attaching/);
    expect(second.output().stderr).toContain(
      `sync ${job('twice')} is already running as incrementalSync/${job('twice')} (run ${started.runId}); attaching`);
    const worker = startCli(['worker', ...flags(queue)], rootKeyEnv());
    try {
      await worker.waitFor(/"msg":"worker started"/);
      expect(await exitCode(second)).toBe(0);
      expect(jsonLines(second.output().stdout).at(-1)).toMatchObject({ runId: started.runId, status: 'completed', transaction: 1, filesAdded: FILES.length });
      const runs = await pollCli(() => runCli(['runs', '--job', job('twice'), '--json', ...flags(queue)]),
        (r) => jsonLines(r.stdout).some((l) => l.status === 'COMPLETED'));
      expect(jsonLines(runs.stdout)).toEqual([expect.objectContaining({ workflowId: `incrementalSync/${job('twice')}`, runId: started.runId, status: 'COMPLETED' })]);
    } finally {
      await second.stop('SIGTERM');
      expect(await worker.stop('SIGTERM')).toBe(0);
    }
    expect((await localDataset(storeRoot, 'twice').transactions()).length).toBe(1);
  });

  it('lists a finished run with `runs --job` and shows its progress and result with `status`', async () => {
    const workflowId = `bulkImport/${job('watched')}`;
    const { runs, status, sync } = await withWorker(config(raw), async (q) => {
      const sync = jsonLines((await runCli(['sync', job('watched'), '--wait', '--json', ...flags(q)])).stdout).at(-1)!;
      const runs = await pollCli(() => runCli(['runs', '--job', job('watched'), '--json', ...flags(q)]), (r) => r.stdout.includes(String(sync.runId)));
      // Closed runs answer the progress query too, by replay on a worker.
      const status = await runCli(['status', workflowId, '--json', ...flags(q)]);
      return { runs, status, sync };
    });
    expect(runs.code).toBe(0);
    expect(jsonLines(runs.stdout)).toEqual([{
      workflowType: 'bulkImport', workflowId, runId: sync.runId, status: 'COMPLETED', job: job('watched'),
      startTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), closeTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    }]);
    expect(status.code).toBe(0);
    expect(jsonLines(status.stdout)).toEqual([expect.objectContaining({
      workflowId, runId: sync.runId, workflowType: 'bulkImport', status: 'COMPLETED', job: job('watched'), source: 'src', dataset: 'watched',
      progress: expect.objectContaining({ phase: 'done', objectsPlanned: FILES.length, filesCopied: FILES.length, bytesCopied: BYTES }),
      result: expect.objectContaining({ transaction: 1, transactionType: 'SNAPSHOT', filesAdded: FILES.length }),
      failure: null,
    })]);
  });

  it('exits with code 1 and the root cause when the job fails', async () => {
    const queue = `jobs-broken-${suffix}`;
    const worker = startCli(['worker', ...flags(queue)], rootKeyEnv()); // its warning logs stay in its own stderr
    let result: CliResult;
    try {
      await worker.waitFor(/"msg":"worker started"/);
      result = await runCli(['sync', job('broken'), '--wait', ...flags(queue)]);
    } finally {
      await worker.stop('SIGTERM');
    }
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`sync ${job('broken')} failed: bulkImport/${job('broken')}`);
    expect(result.stderr).toMatch(/error: .*bucket "[^"]*-missing" does not exist/);
  });

  it('exits with code 2 naming the known jobs for an unknown job', async () => {
    const unknown = await runCli(['sync', 'no-such-job', ...flags('unused')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('sync job "no-such-job" is not in the config');
    for (const name of ['waited', 'twice', 'watched', 'broken', 'media']) expect(unknown.stderr).toContain(job(name));
  });

  it('exits with code 2 when `status` names a workflow that does not exist', async () => {
    const result = await runCli(['status', `bulkImport/never-${suffix}`, ...flags('unused')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`no workflow "bulkImport/never-${suffix}"`);
  });
});
