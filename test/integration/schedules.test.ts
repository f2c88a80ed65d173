import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { jsonLines } from '../harness/cli-output';
import { createBucket, putObjects } from '../harness/minio-admin';
import { localDataset, temporalClient } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';

type Raw = { datasetStore: string; sources: Record<string, object>; syncs: Record<string, Record<string, unknown>>; exports?: Record<string, object> };

describe('schedules from the config', () => {
  let bucket: string;
  let storeRoot: string;
  let t: Awaited<ReturnType<typeof temporalClient>>;

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
    bucket = await createBucket('sched');
    storeRoot = mkdtempSync(join(tmpdir(), 'sched-store-'));
    await putObjects(bucket, [{ key: 'in/a.csv', body: 'a\n1\n' }, { key: 'in/b.csv', body: 'b\n2\n' }]);
  });
  afterAll(() => t.close());

  /** A config with one scheduled bulk job, on its own task queue so that apply touches only its schedules. */
  function setup(cron: string | undefined) {
    const id = Math.random().toString(36).slice(2, 8);
    const job = `nightly-${id}`;
    const taskQueue = `sched-${id}`;
    const raw: Raw = {
      datasetStore: storeRoot,
      sources: { src: minioSource(bucket, { url: `s3://${bucket}/in/`, exports: { enabled: true } }) },
      syncs: { [job]: { source: 'src', dataset: `ds_${id}`, mode: 'bulk', ...(cron ? { schedule: { cron } } : {}) } },
    };
    const cli = (args: string[], r: Raw = raw) =>
      runCli([...args, '--json', '--config', writeConfigFile(r), '--address', testEnv().temporalAddress, '--task-queue', taskQueue]);
    const list = async (r: Raw = raw) => jsonLines((await cli(['schedule', 'list'], r)).stdout);
    return { job, taskQueue, raw, cli, list, dataset: `ds_${id}` };
  }

  it('creates schedule/<job> on apply, lists it with its cron and next run times, and leaves an unchanged one alone', async () => {
    const s = setup('15 3 * * *');
    const dry = await s.cli(['schedule', 'apply', '--dry-run']);
    expect(jsonLines(dry.stdout)).toEqual([{ scheduleId: `schedule/${s.job}`, job: s.job, cron: '15 3 * * *', change: 'created', applied: false }]);
    expect(await s.list()).toEqual([]);
    const applied = await s.cli(['schedule', 'apply']);
    expect(applied.code).toBe(0);
    expect(jsonLines(applied.stdout)).toEqual([{ scheduleId: `schedule/${s.job}`, job: s.job, cron: '15 3 * * *', change: 'created' }]);
    const [line, ...more] = await s.list();
    expect(more).toEqual([]);
    expect(line).toMatchObject({ scheduleId: `schedule/${s.job}`, job: s.job, workflowType: 'bulkImport', workflowId: `bulkImport/${s.job}`, cron: '15 3 * * *', paused: false, inConfig: true });
    const next = line!.nextActionTimes as string[];
    expect(next.length).toBeGreaterThan(0);
    for (const time of next) expect(new Date(time).getUTCHours() * 60 + new Date(time).getUTCMinutes()).toBe(3 * 60 + 15);
    const description = await t.client.schedule.getHandle(`schedule/${s.job}`).describe();
    expect(description.policies.overlap).toBe('SKIP');
    expect(description.action).toMatchObject({ taskQueue: s.taskQueue, args: [{ job: s.job, source: 'src', dataset: s.dataset, maxErrorRetries: 3 }] });
    expect(jsonLines((await s.cli(['schedule', 'apply'])).stdout)).toEqual([expect.objectContaining({ change: 'unchanged' })]);
    await s.cli(['schedule', 'delete', s.job]);
  });

  it('flips the paused state with pause and unpause, and keeps it when apply updates a changed cron', async () => {
    const s = setup('0 * * * *');
    await s.cli(['schedule', 'apply']);
    expect(jsonLines((await s.cli(['schedule', 'pause', s.job])).stdout)).toEqual([{ scheduleId: `schedule/${s.job}`, job: s.job, paused: true }]);
    expect(await s.list()).toEqual([expect.objectContaining({ paused: true, note: expect.stringContaining('pause') })]);
    const changed: Raw = { ...s.raw, syncs: { [s.job]: { ...s.raw.syncs[s.job], schedule: { cron: '30 1 * * *' } } } };
    expect(jsonLines((await s.cli(['schedule', 'apply'], changed)).stdout)).toEqual([expect.objectContaining({ change: 'updated', cron: '30 1 * * *' })]);
    expect(await s.list(changed)).toEqual([expect.objectContaining({ cron: '30 1 * * *', paused: true })]);
    expect((await s.cli(['schedule', 'unpause', s.job], changed)).code).toBe(0);
    expect(await s.list(changed)).toEqual([expect.objectContaining({ paused: false })]);
    await s.cli(['schedule', 'delete', s.job]);
  });

  it('starts a run with trigger that a worker completes into a dataset transaction', async () => {
    const s = setup('0 0 1 1 *');
    const { trigger, result } = await withWorker(config(s.raw), async (queue) => {
      // withWorker polls its own fresh queue: point the schedule there.
      const cli = (args: string[]) => runCli([...args, '--json', '--config', writeConfigFile(s.raw), '--address', testEnv().temporalAddress, '--task-queue', queue]);
      expect((await cli(['schedule', 'apply'])).code).toBe(0);
      const trigger = await cli(['schedule', 'trigger', s.job]);
      const started = jsonLines(trigger.stdout)[0] ?? {};
      const result = await t.client.workflow.getHandle(String(started.workflowId), String(started.runId)).result();
      await cli(['schedule', 'delete', s.job]);
      return { trigger, result };
    });
    expect(trigger.code).toBe(0);
    expect(jsonLines(trigger.stdout)).toEqual([{
      scheduleId: `schedule/${s.job}`, job: s.job, triggered: true,
      workflowId: expect.stringMatching(new RegExp(`^bulkImport/${s.job}-`)), runId: expect.any(String),
    }]);
    expect(result).toMatchObject({ status: 'completed', transaction: 1, filesAdded: 2 });
    expect((await localDataset(storeRoot, s.dataset).transactions()).map((r) => r.id)).toEqual([1]);
  });

  it('removes a schedule with delete, and with apply --prune once its schedule block is gone; apply alone keeps it as stale', async () => {
    const s = setup('0 6 * * *');
    await s.cli(['schedule', 'apply']);
    expect(jsonLines((await s.cli(['schedule', 'delete', s.job])).stdout)).toEqual([{ scheduleId: `schedule/${s.job}`, job: s.job, deleted: true }]);
    expect(await s.list()).toEqual([]);

    expect(jsonLines((await s.cli(['schedule', 'apply'])).stdout)).toEqual([expect.objectContaining({ change: 'created' })]);
    const unscheduled: Raw = { ...s.raw, syncs: { [s.job]: { source: 'src', dataset: s.dataset, mode: 'bulk' } } };
    const kept = await s.cli(['schedule', 'apply'], unscheduled);
    expect(jsonLines(kept.stdout)).toEqual([{ scheduleId: `schedule/${s.job}`, job: s.job, cron: '0 6 * * *', change: 'stale' }]);
    expect((await t.client.schedule.getHandle(`schedule/${s.job}`).describe()).scheduleId).toBe(`schedule/${s.job}`);
    const dry = await s.cli(['schedule', 'apply', '--prune', '--dry-run'], unscheduled);
    expect(jsonLines(dry.stdout)).toEqual([{ scheduleId: `schedule/${s.job}`, job: s.job, cron: '0 6 * * *', change: 'deleted', applied: false }]);
    expect((await t.client.schedule.getHandle(`schedule/${s.job}`).describe()).scheduleId).toBe(`schedule/${s.job}`);
    const applied = await s.cli(['schedule', 'apply', '--prune'], unscheduled);
    expect(jsonLines(applied.stdout)).toEqual([{ scheduleId: `schedule/${s.job}`, job: s.job, cron: '0 6 * * *', change: 'deleted' }]);
    await expect(t.client.schedule.getHandle(`schedule/${s.job}`).describe()).rejects.toThrow(/not found/i);
  });

  it('creates export schedules that start fileExport, and exits with code 2 for a job without a schedule', async () => {
    const s = setup(undefined);
    const out = `out-${s.job}`;
    const withExport: Raw = { ...s.raw, exports: { [out]: { dataset: s.dataset, source: 'src', schedule: { cron: '0 0 * * *' } } } };
    const applied = await s.cli(['schedule', 'apply'], withExport);
    expect(applied.code).toBe(0);
    expect(jsonLines(applied.stdout)).toEqual([{ scheduleId: `schedule/${out}`, job: out, cron: '0 0 * * *', change: 'created' }]);
    const description = await t.client.schedule.getHandle(`schedule/${out}`).describe();
    expect(description.action).toMatchObject({ workflowType: 'fileExport', workflowId: `fileExport/${out}`, args: [{ job: out, source: 'src', dataset: s.dataset, maxErrorRetries: 3 }] });
    await s.cli(['schedule', 'delete', out], withExport);
    const paused = await s.cli(['schedule', 'pause', s.job]);
    expect(paused.code).toBe(2);
    expect(paused.stderr).toContain(`job "${s.job}" has no schedule (schedule/${s.job})`);
  });
});
