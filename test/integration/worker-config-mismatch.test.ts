import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { rootMessage } from '../../client/errors';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { createBucket } from '../harness/minio-admin';
import { runSyncJob, temporalClient } from '../harness/sync-runner';

describe('a worker whose config differs from the CLI\'s', () => {
  let t: Awaited<ReturnType<typeof temporalClient>>;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
  });
  afterAll(() => t.close());

  it('fails a job it does not know at once, saying its config lacks the job and to restart it', async () => {
    const bucket = await createBucket('mismatch');
    const storeRoot = mkdtempSync(join(tmpdir(), 'mismatch-'));
    const source = { src: minioSource(bucket) };
    const cli = config({ datasetStore: storeRoot, sources: source, syncs: { added: { source: 'src', dataset: 'ds', mode: 'bulk' } } });
    const worker = config({ datasetStore: storeRoot, sources: source });
    const err = await withWorker(worker, (q) => runSyncJob(t.client, cli, 'added', q).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(rootMessage(err)).toBe('in the worker\'s config: sync job "added" is not in the config. Fix: use one of the sync jobs: (none: add one under syncs:). '
      + 'The CLI and the workers must read the same config: restart the worker with the config that defines it.');
  });
});
