/**
 * `schedule apply | list | pause JOB | unpause JOB | trigger JOB | delete JOB`: the Temporal
 * Schedules (`schedule/<job>`) made from the config's `schedule:` blocks.
 */
import type { Client, ScheduleDescription, ScheduleHandle } from '@temporalio/client';
import type { Command } from 'commander';
import { scheduleId } from '../../shared/temporal-contract';
import { loadConfigFor, temporalClient, UsageError, type GlobalOptions } from '../context';
import { JobFailedError } from '../errors';
import { addGlobalOptions, parseOptions } from '../options';
import { applySchedules, cronOf, describeSchedule, ownedSchedules, SCHEDULE_PREFIX, type ScheduleChange } from '../schedules';
import { findRunningRun, parseJobName } from '../start-job';

/** One schedule as `schedule list --json` prints it. */
export interface ScheduleLine {
  scheduleId: string;
  job: string;
  workflowType: string;
  workflowId: string | null;
  cron: string | null;
  paused: boolean;
  note: string | null;
  nextActionTimes: string[];
  recentRuns: Array<{ workflowId: string; runId: string; takenAt: string }>;
  inConfig: boolean;
}

/** How long `trigger` waits for the schedule to report the run it started. */
const TRIGGER_WAIT_MS = 15_000;

function scheduleLine(d: ScheduleDescription, configured: Set<string>): ScheduleLine {
  return {
    scheduleId: d.scheduleId, job: d.scheduleId.slice(SCHEDULE_PREFIX.length), workflowType: d.action.workflowType,
    workflowId: d.action.workflowId ?? null, cron: cronOf(d) ?? null, paused: d.state.paused, note: d.state.note ?? null,
    nextActionTimes: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
    recentRuns: d.info.recentActions.map((a) => ({ workflowId: a.action.workflow.workflowId, runId: a.action.workflow.firstExecutionRunId, takenAt: a.takenAt.toISOString() })),
    inConfig: configured.has(d.scheduleId),
  };
}

function formatScheduleLine(s: ScheduleLine): string {
  const state = s.paused ? `PAUSED${s.note ? ` (${s.note})` : ''}` : 'active';
  const stale = s.inConfig ? '' : '  [no schedule block in the config: apply --prune deletes it]';
  return `${s.scheduleId}  ${s.workflowType}  cron "${s.cron ?? '?'}"  ${state}  next: ${s.nextActionTimes.join(', ') || '-'}${stale}`;
}

/** Runs `fn` with the schedule of `job`. @throws UsageError naming the existing schedules when there is none. */
async function withSchedule(options: GlobalOptions, job: string, fn: (client: Client, handle: ScheduleHandle, description: ScheduleDescription) => Promise<void>): Promise<void> {
  const { client, close } = await temporalClient(options);
  try {
    const handle = client.schedule.getHandle(scheduleId(job));
    const description = await describeSchedule(handle);
    if (!description) {
      const existing = (await ownedSchedules(client, options.taskQueue)).map((d) => d.scheduleId.slice(SCHEDULE_PREFIX.length));
      throw new UsageError(`job "${job}" has no schedule (${scheduleId(job)}). Fix: add a schedule: to the job (syncs.${job}, exports.${job} or tableSyncs.${job}) in the config and run \`s3-connector schedule apply\`; `
        + `jobs with schedules: ${existing.join(', ') || '(none)'}.`);
    }
    await fn(client, handle, description);
  } finally {
    await close();
  }
}

/** Waits for the schedule to report a run taken after `after`. */
async function nextRun(handle: ScheduleHandle, after: number): Promise<{ workflowId: string; runId: string } | undefined> {
  const deadline = Date.now() + TRIGGER_WAIT_MS;
  while (Date.now() < deadline) {
    const taken = (await handle.describe()).info.recentActions.filter((a) => a.takenAt.getTime() > after).at(-1);
    if (taken) return { workflowId: taken.action.workflow.workflowId, runId: taken.action.workflow.firstExecutionRunId };
    await new Promise((ok) => setTimeout(ok, 250));
  }
  return undefined;
}

function print(options: GlobalOptions, json: object, human: string): void {
  process.stdout.write(`${options.json ? JSON.stringify(json) : human}\n`);
}

/** Registers `schedule` and its subcommands apply, list, pause, unpause, trigger and delete. */
export function registerSchedule(program: Command): void {
  const schedule = program.command('schedule').description("Temporal Schedules (schedule/<job>) from the config's schedule: blocks");

  addGlobalOptions(schedule.command('apply'))
    .description('create missing schedules and update changed ones; with --prune also delete those whose job has no schedule block')
    .option('--dry-run', 'show what apply would change, changing nothing')
    .option('--prune', "delete the connector's schedules on this task queue whose job has no schedule block (without it they are only listed as stale)")
    .action(async (raw: unknown) => {
      const options = parseOptions<GlobalOptions & { dryRun?: boolean; prune?: boolean }>(raw);
      const { config } = loadConfigFor(options);
      const { client, close } = await temporalClient(options);
      try {
        const changes = await applySchedules(client, config, options.taskQueue, (line) => process.stderr.write(`note: ${line}\n`), { dryRun: options.dryRun, prune: options.prune });
        const verb = (c: ScheduleChange) => (options.dryRun && c.change !== 'unchanged' && c.change !== 'stale' ? `would be ${c.change}` : c.change);
        for (const c of changes) {
          const stale = c.change === 'stale' ? ': no schedule block in the config; kept (delete it with apply --prune)' : '';
          print(options, c, `${verb(c)} ${c.scheduleId}${c.cron ? ` (cron "${c.cron}")` : ''}${stale}`);
        }
        if (changes.length === 0) process.stderr.write('no schedule blocks in the config and no schedules to delete\n');
        if (options.dryRun) process.stderr.write('dry run: nothing was changed\n');
      } finally {
        await close();
      }
    });

  addGlobalOptions(schedule.command('list'))
    .description('show each schedule with its cron, paused state and next run times')
    .action(async (raw: unknown) => {
      const options = parseOptions<GlobalOptions>(raw);
      const { config } = loadConfigFor(options);
      const configured = [...Object.entries(config.syncs), ...Object.entries(config.exports), ...Object.entries(config.tableSyncs ?? {})]
        .filter(([, s]) => s.schedule).map(([job]) => scheduleId(job));
      const { client, close } = await temporalClient(options);
      try {
        const lines = (await ownedSchedules(client, options.taskQueue, configured)).map((d) => scheduleLine(d, new Set(configured)));
        for (const line of lines) print(options, line, formatScheduleLine(line));
        if (!options.json) process.stderr.write(`${lines.length} schedule(s) on task queue ${options.taskQueue}\n`);
      } finally {
        await close();
      }
    });

  for (const [name, paused] of [['pause', true], ['unpause', false]] as const) {
    addGlobalOptions(schedule.command(name))
      .argument('<job>', 'the job whose schedule to change', parseJobName)
      .description(paused ? "pause a job's schedule (runs already going continue)" : "resume a job's paused schedule")
      .action(async (job: string, raw: unknown) => {
        const options = parseOptions<GlobalOptions>(raw);
        await withSchedule(options, job, async (_client, handle) => {
          const note = `${paused ? 'paused' : 'unpaused'} with s3-connector schedule ${name}`;
          await (paused ? handle.pause(note) : handle.unpause(note));
          print(options, { scheduleId: handle.scheduleId, job, paused }, `${paused ? 'paused' : 'unpaused'} ${handle.scheduleId}`);
        });
      });
  }

  addGlobalOptions(schedule.command('trigger'))
    .argument('<job>', 'the job whose schedule to run now', parseJobName)
    .description("start a job's scheduled workflow now (not when a run of the job is still going)")
    .action(async (job: string, raw: unknown) => {
      const options = parseOptions<GlobalOptions>(raw);
      await withSchedule(options, job, async (client, handle, before) => {
        const running = before.info.runningActions[0]?.workflow ?? await findRunningRun(client, job);
        if (running) {
          const runId = 'runId' in running ? running.runId : running.firstExecutionRunId;
          process.stderr.write(`sync ${job} is already running as ${running.workflowId} (run ${runId}); not triggered\n`);
          print(options, { scheduleId: handle.scheduleId, job, workflowId: running.workflowId, runId, triggered: false }, `${running.workflowId} (run ${runId}) is still running`);
          return;
        }
        const after = Math.max(0, ...before.info.recentActions.map((a) => a.takenAt.getTime()));
        await handle.trigger('SKIP');
        const run = await nextRun(handle, after);
        if (!run) throw new JobFailedError(`triggered ${handle.scheduleId}, but it reported no started run within ${TRIGGER_WAIT_MS / 1000} s. Fix: look at the schedule in the Temporal Web UI.`);
        print(options, { scheduleId: handle.scheduleId, job, ...run, triggered: true }, `triggered ${handle.scheduleId}: started ${run.workflowId} (run ${run.runId})`);
      });
    });

  addGlobalOptions(schedule.command('delete'))
    .argument('<job>', 'the job whose schedule to delete', parseJobName)
    .description("delete a job's schedule (runs already going continue; apply recreates it while the config has the block)")
    .action(async (job: string, raw: unknown) => {
      const options = parseOptions<GlobalOptions>(raw);
      await withSchedule(options, job, async (_client, handle) => {
        await handle.delete();
        print(options, { scheduleId: handle.scheduleId, job, deleted: true }, `deleted ${handle.scheduleId}`);
      });
    });
}
