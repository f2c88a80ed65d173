/**
 * `cancel WORKFLOW_ID|JOB`: cancels a running run and waits for its cleanup (staging, manifests
 * and its own blobs for syncs; open multipart uploads for exports).
 */
import type { Command } from 'commander';
import { cancelRun } from '../cancel-run';
import { temporalClient, type GlobalOptions } from '../context';
import { addGlobalOptions, parseOptions } from '../options';
import { resolveRun } from '../resolve-run';

/** Registers `cancel WORKFLOW_ID|JOB`. */
export function registerCancel(program: Command): void {
  addGlobalOptions(program.command('cancel <run>'))
    .description('cancel a running run, by workflow ID or job name, and wait until it has cleaned up its staging and open uploads')
    .action(async (name: string, raw: unknown) => {
      const options = parseOptions<GlobalOptions>(raw);
      const { client, close } = await temporalClient(options);
      try {
        const workflowId = await resolveRun(client, name, { running: true });
        process.stderr.write(`cancelling ${workflowId}; waiting for its cleanup\n`);
        const outcome = await cancelRun(client.workflow.getHandle(workflowId));
        process.stdout.write(options.json
          ? `${JSON.stringify(outcome)}\n`
          : `${outcome.workflowId} (run ${outcome.runId}) ${outcome.status === 'CANCELLED' ? 'cancelled, its staging and open uploads removed' : `ended before the cancellation took effect: ${outcome.status}`}\n`);
      } finally {
        await close();
      }
    });
}
