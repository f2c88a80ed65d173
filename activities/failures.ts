/**
 * Turns errors born in activities into Temporal failures: transient ones retry with the
 * activity's backoff policy, permanent ones fail the workflow at once with their message.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { SecretResolutionError } from '../config/secret-ref';
import { S3OperationError } from '../s3/errors';

/**
 * Heartbeats every few seconds while `fn` runs, so a worker that dies (kill -9, lost host) is
 * noticed within the activity's heartbeat timeout instead of its start-to-close timeout.
 */
export async function withLiveness<T>(fn: () => Promise<T>): Promise<T> {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    return fn(); // Called directly (--direct mode), outside an activity.
  }
  const timer = setInterval(() => ctx!.heartbeat(), 3000);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

/** Runs `fn` and rethrows its error as an ApplicationFailure with the right retryability. */
export async function withFailureMapping<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toApplicationFailure(err);
  }
}

/** The ApplicationFailure for an error. Unknown errors are treated as bugs or config problems: not retried. */
export function toApplicationFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof S3OperationError) {
    return ApplicationFailure.create({ message: err.message, type: err.code, nonRetryable: err.kind !== 'transient' });
  }
  if (err instanceof SecretResolutionError) {
    return ApplicationFailure.create({ message: err.message, type: 'SecretResolutionError', nonRetryable: true });
  }
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({ message, type: err instanceof Error ? err.name : 'Error', nonRetryable: true });
}
