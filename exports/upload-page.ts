/**
 * Activity: upload the files of one plan page to the target, small files side by side (the
 * source's maxConnections) and large ones one at a time in resumable multipart uploads. Finished
 * files are saved to a progress file and open multipart uploads ride in the heartbeat details,
 * so an attempt retried after a crash or kill -9 of the worker skips what is done and resumes
 * the upload in flight. Cancellation (delivered through heartbeats) stops the uploads at once.
 */
import type { JobDeps } from '../jobs/deps';
import { exportJob } from '../jobs/job';
import { AdaptiveConcurrency } from '../s3/adaptive-concurrency';
import { runPage, type PageEffort } from '../jobs/page-activity';
import { abortUpload, uploadMultipart, type MultipartState } from './multipart';
import { exportPaths } from './paths';
import type { PlannedFile } from './plan';
import { putObject } from './put-object';
import { sealedFile } from './sealed-file';
import type { UploadedObject, UploadTarget } from './s3-calls';
import { partSizeFor } from './parts';
import { exportKey } from './target';

/** Input of uploadPage. */
export interface UploadPageInput {
  job: string;
  runKey: string;
  page: number;
}

/** What a page exported, and how hard it had to try. */
export interface UploadPageResult extends PageEffort {
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
  const concurrency = deps.concurrency.get(`export/${job.name}`, client.config.maxConnections);
  const progress = {
    store: deps.store, progressPath: paths.progress(input.page), page: input.page, keyOf: (l: DoneLine) => l.path, details: () => ({ multipart }),
    concurrency, retries: client.config.maxErrorRetries,
  };
  const { lines, retries } = await runPage(progress, async (run) => {
    const { done, ctx, addBytes, beat, beatNow, save } = run;
    Object.assign(multipart, (ctx?.info.heartbeatDetails as UploadPageHeartbeat | undefined)?.multipart);
    // `fresh`: a newly encrypted ciphertext, which no earlier attempt's upload parts belong to.
    const target = async (file: PlannedFile, signal: AbortSignal): Promise<{ target: UploadTarget; fresh: boolean }> => {
      const key = exportKey(job.keyPrefix, file.path);
      // A clientKms target gets the v2 ciphertext, staged whole first (sealed-file.ts).
      const bytes = client.kms
        ? await sealedFile(deps.store, client.kms, file, key, `${paths.staging}/sealed`, paths.upload(key).replace('/uploads/', '/sealed-records/'), signal)
        : { blob: file.blob, size: file.size, sha256: file.sha256, metadata: undefined, fresh: false };
      return { target: { client, key, size: bytes.size, sha256: bytes.sha256, cannedAcl: job.cannedAcl, metadata: bytes.metadata,
        open: () => deps.store.readStream(bytes.blob), localPath: deps.store.localPath?.(bytes.blob), signal }, fresh: bytes.fresh ?? false };
    };
    const small = async (file: PlannedFile, signal: AbortSignal) => {
      const uploaded = await putObject((await target(file, signal)).target, addBytes);
      done.set(file.path, { path: file.path, ...uploaded });
      beat();
      await save(false);
    };
    // A retried upload resumes from the parts it finished (the heartbeat's or the store's record).
    const large = async (file: PlannedFile, signal: AbortSignal) => {
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
      const { target: upload, fresh } = await target(file, signal);
      let resume = latest(multipart[file.path], stored ? JSON.parse(stored.toString('utf8')) as MultipartState : undefined);
      if (resume && fresh) {
        // An upload of another ciphertext of this file (its staged copy was lost): its parts would
        // not decrypt with this envelope, so it is aborted and the upload restarts.
        await abortUpload(upload, resume.uploadId);
        resume = undefined;
      }
      const partSize = partSizeFor(upload.size, job.partSizeBytes);
      const uploaded = await uploadMultipart(upload, {
        partSize, concurrency: partConcurrency(partSize, client.config.maxConnections),
        resume, onBytes: addBytes,
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
    // Large files go one at a time: each holds up to 4 parts in flight (partConcurrency).
    const oneAtATime = new AdaptiveConcurrency(1);
    const isLarge = (f: PlannedFile) => f.size > job.multipartThresholdBytes;
    await run.each(plan.filter((f) => !done.has(f.path)), (f, signal) => (isLarge(f) ? large(f, signal) : small(f, signal)),
      (f) => (isLarge(f) ? oneAtATime : concurrency));
    return { lines: [...done.values()], retries: run.retries };
  });
  return { page: input.page, files: lines.length, bytes: lines.reduce((n, l) => n + l.size, 0), retries, concurrency: concurrency.state };
}

/** Of two saved states of one file's upload, the one that knows more finished parts. */
function latest(heartbeat: MultipartState | undefined, stored: MultipartState | undefined): MultipartState | undefined {
  if (!heartbeat || !stored || stored.uploadId !== heartbeat.uploadId) return heartbeat ?? stored;
  return stored.parts.length > heartbeat.parts.length ? stored : heartbeat;
}

