import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { createBucket, putObjects } from '../harness/minio-admin';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { runSyncJob, temporalClient } from '../harness/sync-runner';
import { testEnv } from '../harness/test-env';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The innermost message of a failure chain: the activity's own words. */
function rootMessage(err: unknown): string {
  let current = err as { message?: string; cause?: unknown } | undefined;
  let message = '';
  while (current) {
    if (current.message) message = current.message;
    current = current.cause as typeof current;
  }
  return message;
}

/** Activity type and attempt number of every started activity (a retried one is recorded once, with its last attempt). */
function activityAttempts(events: HistoryEvent[]): Array<{ type: string; attempt: number }> {
  const scheduled = new Map<string, string>();
  const out: Array<{ type: string; attempt: number }> = [];
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes) {
      scheduled.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
    }
    if (e.activityTaskStartedEventAttributes) {
      const attrs = e.activityTaskStartedEventAttributes;
      out.push({ type: scheduled.get(String(attrs.scheduledEventId)) ?? '?', attempt: attrs.attempt ?? 0 });
    }
  }
  return out;
}

describe('an unresolvable secret reference', () => {
  let bucket: string;
  let storeRoot: string;
  let t: Awaited<ReturnType<typeof temporalClient>>;
  const unset = `S3C_UNSET_SECRET_${Math.random().toString(36).slice(2).toUpperCase()}`;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    delete process.env[unset];
    t = await temporalClient();
    bucket = await createBucket('secret-fail-fast');
    storeRoot = mkdtempSync(join(tmpdir(), 'store-'));
    await putObjects(bucket, [{ key: 'in/a.csv', body: 'a\n' }]);
  });
  afterAll(() => t.close());

  async function failedSync(credentials: Record<string, unknown>) {
    // maxErrorRetries: 3 allows four attempts of a transient failure; a config problem must use one.
    const cfg = config({
      datasetStore: storeRoot,
      sources: { src: minioSource(bucket, { maxErrorRetries: 3, credentials: { type: 'accessKey', ...credentials } }) },
      syncs: { job: { source: 'src', dataset: 'ds', mode: 'bulk' } },
    });
    const workflowId = `bulkImport/job/${Math.random().toString(36).slice(2)}`;
    const err = await withWorker(cfg, (q) => runSyncJob(t.client, cfg, 'job', q, workflowId).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const history = await t.client.workflow.getHandle(workflowId).fetchHistory();
    return { message: rootMessage(err), attempts: activityAttempts(history.events ?? []), historyText: JSON.stringify(history) };
  }

  it('in ${env:...} fails the sync with one activity attempt, naming the variable and the fix, never a value', async () => {
    const { message, attempts, historyText } = await failedSync({ accessKeyId: '${env:TEST_MINIO_KEY}', secretAccessKey: `\${env:${unset}}` });
    expect(message).toBe(`sources.src.credentials.secretAccessKey: environment variable ${unset} is not set on the worker. Fix: export ${unset} in the worker's environment.`);
    const failed = attempts.find((a) => a.type === 'syncPlanPage');
    expect(failed).toEqual({ type: 'syncPlanPage', attempt: 1 });
    expect(attempts.every((a) => a.attempt === 1)).toBe(true);
    expect(historyText).not.toContain(testEnv().minio.rootUser);
  });

  it('in ${file:...} fails the sync with one activity attempt, naming the file and the fix', async () => {
    const missing = join(storeRoot, 'no-such-secret-file');
    const { message, attempts } = await failedSync({ accessKeyId: '${env:TEST_MINIO_KEY}', secretAccessKey: `\${file:${missing}}` });
    expect(message).toBe(`sources.src.credentials.secretAccessKey: secret file ${missing} cannot be read (ENOENT). Fix: make the file readable by the worker.`);
    expect(attempts.find((a) => a.type === 'syncPlanPage')).toEqual({ type: 'syncPlanPage', attempt: 1 });
  });
});
