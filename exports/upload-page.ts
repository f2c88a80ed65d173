/**
 * Activity: upload the files of one plan page to the target, small files side by side (the
 * source's maxConnections) and large ones one at a time in resumable multipart uploads. Finished
 * files are saved to a progress file and open multipart uploads ride in the heartbeat details,
 * so an attempt retried after a crash or kill -9 of the worker skips what is done and resumes
 * the upload in flight. Cancellation (delivered through heartbeats) stops the uploads at once.
 */
import pLimit from 'p-limit';
import type { JobDeps } from '../jobs/deps';
import { exportJob } from '../jobs/job';
import { runPage } from '../jobs/page-activity';
import { uploadMultipart, type MultipartState } from './multipart';
import { exportPaths } from './paths';
import type { PlannedFile } from './plan';
import { putObject } from './put-object';
import type { UploadedObject, UploadTarget } from './s3-calls';
import { exportKey } from './target';

/** Input of uploadPage. */
export interface UploadPageInput {
  job: string;
  runKey: string;
  page: number;
}

/** What a page exported. */
export interface UploadPageResult {
  page: number;
  files: number;
  bytes: number;
}

/** The heartbeat details of uploadPage: counts, and the multipart uploads in flight by path. */
export interface UploadPageHeartbeat {
  page: number;
  done: number;
  bytes: number;
  multipart: Record<string, MultipartState>;
}

/** A finished file, one line of the progress file. */
type DoneLine = UploadedObject & { path: string };

/** Parts of one multipart upload in flight at once: at most 4, and at most 128 MiB of them. */
const partConcurrency = (partSize: number, maxConnections: number) => Math.max(1, Math.min(4, maxConnections, Math.floor(128 * 1024 ** 2 / partSize)));

/** Uploads one plan page. */
export async function uploadPage(deps: JobDeps, input: UploadPageInput): Promise<UploadPageResult> {
  const job = exportJob(deps.config, input.job);
  const client = deps.sources.get(job.source);
  const paths = exportPaths(job.dataset, job.name, input.runKey);
  const planText = await deps.store.read(paths.plan(input.page));
  if (!planText) throw new Error(`export plan ${paths.plan(input.page)} is missing; the run's staging folder was removed. Fix: start the export again.`);
  const plan = JSON.parse(planText.toString('utf8')) as PlannedFile[];
  const multipart: Record<string, MultipartState> = {};
  const progress = { store: deps.store, progressPath: paths.progress(input.page), page: input.page, keyOf: (l: DoneLine) => l.path, details: () => ({ multipart }) };
  const lines = await runPage(progress, async ({ done, ctx, signal, addBytes, beat, beatNow, save }) => {
    Object.assign(multipart, (ctx?.info.heartbeatDetails as UploadPageHeartbeat | undefined)?.multipart);
    const target = (file: PlannedFile): UploadTarget => ({
      client, key: exportKey(job.keyPrefix, file.path), size: file.size, sha256: file.sha256, cannedAcl: job.cannedAcl,
      open: () => deps.store.readStream(file.blob), localPath: deps.store.localPath?.(file.blob), signal,
    });
    const small = async (file: PlannedFile) => {
      const uploaded = await putObject(target(file), addBytes);
      done.set(file.path, { path: file.path, ...uploaded });
      beat();
      await save(false);
    };
    const large = async (file: PlannedFile) => {
      const key = exportKey(job.keyPrefix, file.path);
      // The store's copy of the upload is written after each part; heartbeats reach the server at
      // most every 0.8 x heartbeatTimeout, so it may know more parts than the last heartbeat did.
      const stored = await deps.store.read(paths.upload(key));
      let recording: Promise<void> = Promise.resolve();
      const record = (state: MultipartState) => {
        const text = JSON.stringify(state);
        recording = recording.then(() => deps.store.write(paths.upload(key), text));
        return recording;
      };
      const uploaded = await uploadMultipart(target(file), {
        partSize: job.partSizeBytes, concurrency: partConcurrency(job.partSizeBytes, client.config.maxConnections),
        resume: latest(multipart[file.path], stored ? JSON.parse(stored.toString('utf8')) as MultipartState : undefined), onBytes: addBytes,
        onState: (state) => { multipart[file.path] = state; beatNow(); void record(state).catch(() => undefined); },
        register: record,
        unregister: async () => { await recording.catch(() => undefined); await deps.store.remove(paths.upload(key)); },
        log: (message, attrs) => ctx?.log.info(message, { ...attrs, job: job.name, page: input.page }),
      });
      done.set(file.path, { path: file.path, ...uploaded });
      delete multipart[file.path];
      beatNow();
      await save(true);
    };
    const smallLimit = pLimit(client.config.maxConnections);
    const largeLimit = pLimit(1);
    const todo = plan.filter((f) => !done.has(f.path));
    await Promise.all(todo.map((f) => (f.size > job.multipartThresholdBytes ? largeLimit(() => large(f)) : smallLimit(() => small(f)))));
    return [...done.values()];
  });
  return { page: input.page, files: lines.length, bytes: lines.reduce((n, l) => n + l.size, 0) };
}

/** Of two saved states of one file's upload, the one that knows more finished parts. */
function latest(heartbeat: MultipartState | undefined, stored: MultipartState | undefined): MultipartState | undefined {
  if (!heartbeat || !stored || stored.uploadId !== heartbeat.uploadId) return heartbeat ?? stored;
  return stored.parts.length > heartbeat.parts.length ? stored : heartbeat;
}

