/**
 * Every error an activity throws becomes a Temporal failure here, once, for all activities:
 * transient ones retry with the activity's backoff policy, permanent ones fail the workflow at
 * once with their message. Retryability is decided where the error is born (S3OperationError's
 * kind); this only carries it over. A cancellation stays a cancellation.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { SecretResolutionError } from '../config/secret-ref';
import { UnknownJobError } from '../jobs/job';
import { S3OperationError } from '../s3/errors';

/** The ApplicationFailure for an error. Unknown errors are bugs or config problems: not retried. */
export function toApplicationFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof S3OperationError) {
    return ApplicationFailure.create({ message: err.message, type: err.code, nonRetryable: err.kind !== 'transient' });
  }
  if (err instanceof UnknownJobError) {
    // The CLI found the job in its config, or the run would not have started: the worker's differs.
    return ApplicationFailure.create({
      message: `in the worker's config: ${err.message} The CLI and the workers must read the same config: restart the worker with the config that defines it.`,
      type: 'UnknownJobError', nonRetryable: true,
    });
  }
  if (err instanceof SecretResolutionError) {
    return ApplicationFailure.create({ message: err.message, type: 'SecretResolutionError', nonRetryable: true });
  }
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({ message, type: err instanceof Error ? err.name : 'Error', nonRetryable: true });
}

/** The worker's activity interceptor that maps errors with toApplicationFailure. */
export const failureInterceptor: ActivityInterceptorsFactory = () => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (err) {
        if (err instanceof CancelledFailure) throw err;
        throw toApplicationFailure(err);
      }
    },
  },
});
