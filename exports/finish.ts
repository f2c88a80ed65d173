/**
 * Activities at the end of an export run: `commitExport` records what was exported (the job's
 * ExportState, written only after every file is uploaded and verified) and removes the staging
 * files; `abortExport` runs when a run fails or is cancelled, aborting every multipart upload
 * the run left open so that none dangles, and removing the staging files.
 */
import type { JobDeps } from '../jobs/deps';
import { exportJob } from '../jobs/job';
import { abortUpload } from './multipart';
import { exportPaths, type ExportState } from './paths';
import type { ExportPlan } from './plan';

/** Input of commitExport. */
export interface CommitExportInput {
  job: string;
  runKey: string;
  plan: ExportPlan;
  files: number;
  bytes: number;
}

/** Records the run's success. Idempotent. A run that exported nothing leaves the state as it was. */
export async function commitExport(deps: JobDeps, input: CommitExportInput): Promise<ExportState | undefined> {
  const job = exportJob(deps.config, input.job);
  const paths = exportPaths(job.dataset, job.name, input.runKey);
  let state: ExportState | undefined;
  if (input.plan.pages > 0 || input.plan.fromTransaction === 0) {
    state = {
      job: job.name, exportedThrough: input.plan.throughTransaction, target: input.plan.target, runKey: input.runKey,
      completedAt: new Date().toISOString(), files: input.files, bytes: input.bytes,
      ...(input.plan.rewrittenPaths ? { rewrittenPaths: true } : {}),
    };
    await deps.store.write(paths.state, JSON.stringify(state, null, 1));
  }
  await deps.store.remove(paths.staging);
  return state;
}

/** What abortExport did. */
export interface AbortExportResult {
  aborted: number;
}

/** Aborts the run's open multipart uploads (those recorded in its staging folder) and removes the staging files. */
export async function abortExport(deps: JobDeps, input: { job: string; runKey: string }): Promise<AbortExportResult> {
  const job = exportJob(deps.config, input.job);
  const client = deps.sources.get(job.source);
  const paths = exportPaths(job.dataset, job.name, input.runKey);
  let aborted = 0;
  for (const name of await deps.store.list(paths.uploads)) {
    const text = await deps.store.read(`${paths.uploads}/${name}`);
    if (!text) continue;
    const { key, uploadId } = JSON.parse(text.toString('utf8')) as { key: string; uploadId: string };
    await abortUpload({ client, key, cannedAcl: job.cannedAcl }, uploadId);
    await deps.store.remove(`${paths.uploads}/${name}`);
    aborted += 1;
  }
  await deps.store.remove(paths.staging);
  return { aborted };
}
