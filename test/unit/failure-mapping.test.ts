import { ApplicationFailure } from '@temporalio/common';
import { UnknownJobError } from '../../jobs/job';
import { S3OperationError } from '../../s3/errors';
import { toApplicationFailure } from '../../worker/failure-interceptor';

describe('errors mapped to Temporal failures', () => {
  it('keep a transient S3 error retryable and a permanent one not, with its code as the type', () => {
    expect(toApplicationFailure(new S3OperationError('transient', 'SlowDown', 'slow down'))).toMatchObject({ type: 'SlowDown', nonRetryable: false });
    expect(toApplicationFailure(new S3OperationError('permanent', 'AccessDenied', 'denied'))).toMatchObject({ type: 'AccessDenied', nonRetryable: true });
  });

  it('say that a job missing on the worker is missing from the worker\'s config, and to restart it, without retrying', () => {
    const failure = toApplicationFailure(new UnknownJobError('sync job "orders" is not in the config. Fix: use one of the sync jobs: (none).'));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'UnknownJobError', nonRetryable: true });
    expect(failure.message).toMatch(/^in the worker's config: sync job "orders" is not in the config\..*restart the worker with the config that defines it\.$/);
  });

  it('treat an unknown error as a bug or config problem: not retried, with its message', () => {
    expect(toApplicationFailure(new TypeError('x is undefined'))).toMatchObject({ type: 'TypeError', nonRetryable: true, message: 'x is undefined' });
  });
});
