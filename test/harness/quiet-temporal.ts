/** Keeps the Temporal SDK's own INFO logs out of test output (warnings still show). */
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this jest worker process by an earlier test file.
}
