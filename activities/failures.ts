/**
 * Turns errors born in activities into Temporal failures: transient ones retry with the
 * activity's backoff policy, permanent ones fail the workflow at once with their message.
 */
import { ApplicationFailure } from '@temporalio/common';
import { SecretResolutionError } from '../config/secret-ref';
import { S3OperationError } from '../s3/errors';

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
