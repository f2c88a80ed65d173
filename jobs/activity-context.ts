/**
 * The Temporal activity context, for code that also runs outside Temporal (`--direct` probes,
 * tests calling a domain function): undefined there, and heartbeating becomes a no-op.
 */
import { Context } from '@temporalio/activity';

/** The activity context when running inside Temporal; undefined in direct calls. */
export function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/**
 * Heartbeats every 3 s while `fn` runs, so that a worker that dies (kill -9, lost host) is
 * noticed within the activity's heartbeat timeout (20 s) instead of its start-to-close timeout.
 */
export async function withLiveness<T>(fn: () => Promise<T>): Promise<T> {
  const ctx = activityContext();
  if (!ctx) return fn();
  const timer = setInterval(() => ctx.heartbeat(), 3000);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
