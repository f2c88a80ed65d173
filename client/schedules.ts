/**
 * Temporal Schedules from the config's `schedule:` blocks: what the config asks for, what exists
 * on the task queue, and applying the difference. The cron expression is kept as the comment of
 * the schedule's calendar, so a changed cron is found without compiling cron ourselves.
 */
import { ScheduleNotFoundError, type Client, type ScheduleDescription, type ScheduleHandle, type ScheduleOptions } from '@temporalio/client';
import type { ConnectorConfig } from '../config/schema';
import { exportJob, syncJob, tableSyncJob } from '../jobs/job';
import { scheduleId, SEARCH_ATTRIBUTE_KEYS } from '../shared/temporal-contract';
import { UsageError } from './context';
import { jobWorkflow, type JobWorkflow } from './start-job';

/** The Schedule ID prefix the connector owns. */
export const SCHEDULE_PREFIX = scheduleId('');

/** A schedule the config asks for. */
export interface DesiredSchedule {
  job: string;
  scheduleId: string;
  cron: string;
  workflow: JobWorkflow;
}

/**
 * The schedules `config` asks for, syncs, exports and table syncs (every kind can be scheduled now). A block that
 * cannot be scheduled would be skipped with a `note`, its job returned in `kept` so that apply leaves it alone.
 */
export function desiredSchedules(config: ConnectorConfig, _note: (line: string) => void): { desired: DesiredSchedule[]; kept: Set<string> } {
  const desired: DesiredSchedule[] = [];
  const kept = new Set<string>();
  for (const [job, sync] of Object.entries(config.syncs)) {
    if (!sync.schedule) continue;
    if (sync.schedule.cron.includes('#')) {
      throw new UsageError(`syncs.${job}.schedule.cron: "${sync.schedule.cron}" contains "#", which Temporal schedules read as a comment. Fix: write the weekday without #, e.g. "0 0 * * MON".`);
    }
    desired.push({ job, scheduleId: scheduleId(job), cron: sync.schedule.cron, workflow: jobWorkflow(syncJob(config, job)) });
  }
  for (const [job, exp] of Object.entries(config.exports)) {
    if (!exp.schedule) continue;
    if (exp.schedule.cron.includes('#')) {
      throw new UsageError(`exports.${job}.schedule.cron: "${exp.schedule.cron}" contains "#", which Temporal schedules read as a comment. Fix: write the weekday without #, e.g. "0 0 * * MON".`);
    }
    desired.push({ job, scheduleId: scheduleId(job), cron: exp.schedule.cron, workflow: jobWorkflow(exportJob(config, job)) });
  }
  for (const [job, sync] of Object.entries(config.tableSyncs ?? {})) {
    if (!sync.schedule) continue;
    if (sync.schedule.cron.includes('#')) {
      throw new UsageError(`tableSyncs.${job}.schedule.cron: "${sync.schedule.cron}" contains "#", which Temporal schedules read as a comment. Fix: write the weekday without #, e.g. "0 0 * * MON".`);
    }
    desired.push({ job, scheduleId: scheduleId(job), cron: sync.schedule.cron, workflow: jobWorkflow(tableSyncJob(config, job)) });
  }
  return { desired, kept };
}

/** The Temporal Schedule of `d`: starts the job's workflow like `sync` does; overlapping runs are skipped. */
export function scheduleOptions(d: DesiredSchedule, taskQueue: string): ScheduleOptions {
  return {
    scheduleId: d.scheduleId,
    spec: { cronExpressions: [`${d.cron} # ${d.cron}`] },
    action: {
      type: 'startWorkflow', workflowType: d.workflow.type, workflowId: d.workflow.workflowId, taskQueue,
      args: d.workflow.args, typedSearchAttributes: d.workflow.searchAttributes, staticSummary: d.workflow.summary,
    },
    policies: { overlap: 'SKIP' },
    typedSearchAttributes: [{ key: SEARCH_ATTRIBUTE_KEYS.job, value: d.job }],
  };
}

/** The cron expression a schedule was made from (its calendar's comment), if it was made by apply. */
export function cronOf(description: ScheduleDescription): string | undefined {
  const calendars = description.spec.calendars ?? [];
  return calendars.length === 1 ? calendars[0]?.comment : undefined;
}

/** Whether an existing schedule already is what `d` asks for on `taskQueue`. */
function matches(current: ScheduleDescription, d: DesiredSchedule, taskQueue: string): boolean {
  const wanted = scheduleOptions(d, taskQueue).action;
  const a = current.action;
  return cronOf(current) === d.cron && (current.spec.intervals ?? []).length === 0 && current.policies.overlap === 'SKIP'
    && a.workflowType === wanted.workflowType && a.workflowId === wanted.workflowId && a.taskQueue === taskQueue
    && JSON.stringify(a.args) === JSON.stringify(wanted.args) && a.staticSummary === wanted.staticSummary;
}

/** Describes a schedule, or undefined when it does not exist. */
export async function describeSchedule(handle: ScheduleHandle): Promise<ScheduleDescription | undefined> {
  try {
    return await handle.describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}

/**
 * The connector's schedules (`schedule/*`) whose action runs on `taskQueue`: those named in
 * `alsoCheck` (looked up directly, so just-created ones are found) plus those visibility lists,
 * which may lag a second behind a change.
 */
export async function ownedSchedules(client: Client, taskQueue: string, alsoCheck: string[] = []): Promise<ScheduleDescription[]> {
  const ids = new Set(alsoCheck);
  for await (const summary of client.schedule.list()) {
    if (summary.scheduleId.startsWith(SCHEDULE_PREFIX)) ids.add(summary.scheduleId);
  }
  const found: ScheduleDescription[] = [];
  for (const id of [...ids].sort()) {
    const description = await describeSchedule(client.schedule.getHandle(id));
    if (description && description.action.taskQueue === taskQueue) found.push(description);
  }
  return found;
}

/** What apply did to one schedule. */
export interface ScheduleChange {
  scheduleId: string;
  job: string;
  /** `stale`: on the queue without a schedule block in the config, kept because apply ran without --prune. */
  change: 'created' | 'updated' | 'unchanged' | 'deleted' | 'stale';
  cron?: string;
  /** Present (false) on a dry run: the change is what apply would do. */
  applied?: false;
}

/** How apply runs. */
export interface ApplyOptions {
  /** Compute the changes without making any. */
  dryRun?: boolean;
  /** Delete the connector's schedules whose job has no schedule block (else they are only reported as stale). */
  prune?: boolean;
}

/** Turns Temporal's refusal of a cron expression into a config error naming the field. */
function refusedCron(d: DesiredSchedule, err: unknown): never {
  if (err instanceof TypeError) {
    const block = d.workflow.type === 'fileExport' ? 'exports' : d.workflow.type === 'tableSync' ? 'tableSyncs' : 'syncs';
    throw new UsageError(`${block}.${d.job}.schedule.cron: Temporal refused "${d.cron}": ${err.message}. Fix: write a valid 5-field cron expression, e.g. "0 * * * *".`);
  }
  throw err;
}

/**
 * Makes the schedules on `taskQueue` what `config` says: creates missing ones, updates changed
 * ones (keeping their paused state), and, with `prune`, deletes `schedule/*` whose job has no
 * schedule block. With `dryRun` nothing is changed: the changes say what would be.
 */
export async function applySchedules(client: Client, config: ConnectorConfig, taskQueue: string, note: (line: string) => void, { dryRun = false, prune = false }: ApplyOptions = {}): Promise<ScheduleChange[]> {
  const { desired, kept } = desiredSchedules(config, note);
  const changes: ScheduleChange[] = [];
  const dry = dryRun ? { applied: false as const } : {};
  for (const d of desired) {
    const handle = client.schedule.getHandle(d.scheduleId);
    const current = await describeSchedule(handle);
    const base = { scheduleId: d.scheduleId, job: d.job, cron: d.cron, ...dry };
    if (dryRun) {
      changes.push({ ...base, change: !current ? 'created' : matches(current, d, taskQueue) ? 'unchanged' : 'updated' });
    } else if (!current) {
      await client.schedule.create(scheduleOptions(d, taskQueue)).catch((err) => refusedCron(d, err));
      changes.push({ ...base, change: 'created' });
    } else if (matches(current, d, taskQueue)) {
      changes.push({ ...base, change: 'unchanged' });
    } else {
      const { spec, action, policies, typedSearchAttributes } = scheduleOptions(d, taskQueue);
      await handle.update((previous) => ({
        spec, action, policies, typedSearchAttributes,
        state: { paused: previous.state.paused, note: previous.state.note, remainingActions: previous.state.remainingActions },
      })).catch((err) => refusedCron(d, err));
      changes.push({ ...base, change: 'updated' });
    }
  }
  const wanted = new Set([...desired.map((d) => d.scheduleId), ...[...kept].map(scheduleId)]);
  const configJobs = [...Object.keys(config.syncs), ...Object.keys(config.exports), ...Object.keys(config.tableSyncs ?? {})].map(scheduleId);
  for (const stale of await ownedSchedules(client, taskQueue, configJobs.filter((id) => !wanted.has(id)))) {
    if (wanted.has(stale.scheduleId)) continue;
    const base = { scheduleId: stale.scheduleId, job: stale.scheduleId.slice(SCHEDULE_PREFIX.length), cron: cronOf(stale), ...dry };
    if (!prune) {
      changes.push({ ...base, change: 'stale' });
      continue;
    }
    if (!dryRun) {
      await client.schedule.getHandle(stale.scheduleId).delete().catch((err) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err; // deleted meanwhile
      });
    }
    changes.push({ ...base, change: 'deleted' });
  }
  return changes;
}
