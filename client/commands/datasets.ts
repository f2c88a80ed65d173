/**
 * `datasets list | show NAME | transactions NAME | files NAME | cat NAME PATH`: what landed.
 * Runs in the CLI process against the config's dataset store (a local folder needs no
 * credentials; a store in a source uses that source's credentials, with SDK retries).
 */
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { createSourceRegistry } from '../../s3/source-registry';
import type { StoreBackend } from '../../datasets/backend';
import { findFile, findTransaction, listDatasets, openDataset, summarize, transactionEntries, viewEntries, type ViewEntry } from '../../datasets/catalog';
import { hashing } from '../../datasets/hashing-stream';
import { openStore } from '../../datasets/open-store';
import type { TransactionRecord } from '../../datasets/types';
import { loadConfigFor, type GlobalOptions } from '../context';
import { JobFailedError } from '../errors';
import { addGlobalOptions, parseOptions, wholeNumber } from '../options';
import { printable } from '../printable';

/** The first error of stdout (EPIPE when the reader, e.g. `head`, stopped early). */
let stdoutError: NodeJS.ErrnoException | undefined;

/** Writes to stdout, waiting when its buffer is full so large listings stream in bounded memory. */
async function write(text: string): Promise<void> {
  if (stdoutError) throw stdoutError;
  if (text !== '' && !process.stdout.write(text)) await once(process.stdout, 'drain');
}

/** Wraps an action: a reader that stops early (EPIPE) ends the command quietly, with exit 0, as in other Unix tools. */
function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    if (process.stdout.listenerCount('error') === 0) process.stdout.on('error', (err: NodeJS.ErrnoException) => { stdoutError ??= err; });
    try {
      await fn(...args);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
    }
  };
}

function storeFor(raw: unknown): { options: GlobalOptions; store: StoreBackend } {
  const options = parseOptions<GlobalOptions>(raw);
  const { config } = loadConfigFor(options);
  return { options, store: openStore(config, createSourceRegistry(config)) };
}

/** One line of `files --json` (its fields are a contract with scripts that read it). */
export function fileJson(e: ViewEntry): Record<string, unknown> {
  const { bucket, key, etag, versionId, lastModified } = e.source;
  return {
    path: e.path, size: e.size, sha256: e.sha256, transaction: e.transaction,
    source: { bucket, key, etag, versionId: versionId ?? null, lastModified },
    ...(e.mediaType !== undefined ? { mediaType: e.mediaType, metadata: e.metadata ?? {} } : {}),
  };
}

function fileLine(e: ViewEntry): string {
  const media = e.mediaType !== undefined ? `  ${e.mediaType}  ${JSON.stringify(e.metadata ?? {})}` : '';
  return printable(`${String(e.size).padStart(12)}  ${String(e.transaction).padStart(6)}  ${e.sha256.slice(0, 16)}  ${e.path}${media}`);
}

function transactionJson(r: TransactionRecord): Record<string, unknown> {
  return { id: r.id, type: r.type, committedAt: r.committedAt, job: r.job ?? null, runKey: r.runKey, fileCount: r.fileCount, bytes: r.bytes };
}

function transactionLine(r: TransactionRecord): string {
  return `${String(r.id).padStart(6)}  ${r.type.padEnd(8)}  ${r.committedAt.padEnd(24)}  ${(r.job ?? '-').padEnd(20)}  ${String(r.fileCount).padStart(8)}  ${String(r.bytes).padStart(14)}`;
}


async function list(raw: unknown): Promise<void> {
  const { options, store } = storeFor(raw);
  const names = await listDatasets(store);
  if (!options.json) await write(`${'DATASET'.padEnd(30)}  ${'LATEST'.padStart(6)}  ${'FILES'.padStart(8)}  ${'BYTES'.padStart(14)}\n`);
  for (const name of names) {
    const s = await summarize(await openDataset(store, name), { exact: false });
    await write(options.json
      ? `${JSON.stringify({ dataset: name, latestTransaction: s.latest?.id ?? null, files: s.files, bytes: s.bytes })}\n`
      : `${printable(name).padEnd(30)}  ${String(s.latest?.id ?? '-').padStart(6)}  ${String(s.files).padStart(8)}  ${String(s.bytes).padStart(14)}\n`);
  }
  if (!options.json) process.stderr.write(`${names.length} dataset${names.length === 1 ? '' : 's'} in ${store.location}\n`);
}

async function show(name: string, raw: unknown): Promise<void> {
  const { options, store } = storeFor(raw);
  const s = await summarize(await openDataset(store, name));
  if (options.json) {
    await write(`${JSON.stringify({ dataset: name, store: store.location, latestTransaction: s.latest ? transactionJson(s.latest) : null,
      transactions: s.transactions, files: s.files, bytes: s.bytes, mediaTypes: s.mediaTypes })}\n`);
    return;
  }
  const latest = s.latest ? `${s.latest.id} ${s.latest.type} at ${s.latest.committedAt}${s.latest.job ? ` by job ${s.latest.job}` : ''}` : '-';
  const lines = [`dataset ${printable(name)} in ${store.location}`, `  latest transaction  ${latest}`, `  transactions        ${s.transactions}`,
    `  files               ${s.files}`, `  bytes               ${s.bytes}`];
  const types = Object.entries(s.mediaTypes).sort(([a], [b]) => a.localeCompare(b));
  if (types.length > 0) lines.push('  media types', ...types.map(([type, n]) => `    ${printable(type).padEnd(30)}  ${n}`));
  await write(`${lines.join('\n')}\n`);
}

async function transactions(name: string, raw: unknown): Promise<void> {
  const { options, store } = storeFor(raw);
  const records = await (await openDataset(store, name)).transactions();
  if (!options.json) await write(`${'ID'.padStart(6)}  ${'TYPE'.padEnd(8)}  ${'COMMITTED AT'.padEnd(24)}  ${'JOB'.padEnd(20)}  ${'FILES'.padStart(8)}  ${'BYTES'.padStart(14)}\n`);
  for (const r of records) await write(`${options.json ? JSON.stringify(transactionJson(r)) : transactionLine(r)}\n`);
}

async function files(name: string, raw: unknown): Promise<void> {
  const { options, store } = storeFor(raw);
  const { transaction } = raw as { transaction?: number };
  const dataset = await openDataset(store, name);
  let batches: AsyncIterable<ViewEntry[]>;
  if (transaction === undefined) {
    batches = viewEntries(dataset);
  } else {
    const record = await findTransaction(dataset, transaction);
    batches = (async function* () {
      for await (const part of transactionEntries(dataset, record)) yield part.map((e) => ({ ...e, transaction: record.id }));
    })();
  }
  let count = 0;
  for await (const batch of batches) {
    count += batch.length;
    await write(batch.map((e) => `${options.json ? JSON.stringify(fileJson(e)) : fileLine(e)}\n`).join(''));
  }
  if (!options.json) process.stderr.write(`${count} file${count === 1 ? '' : 's'}\n`);
}

async function cat(name: string, path: string, raw: unknown): Promise<void> {
  const { store } = storeFor(raw);
  const dataset = await openDataset(store, name);
  const entry = await findFile(dataset, path);
  const where = `${path} in dataset ${name} (blob ${entry.blob} in ${store.location})`;
  try {
    const hashed = hashing(await store.readStream(entry.blob));
    // stdout stays open: the verdict on the bytes comes after them.
    await pipeline(hashed.stream, process.stdout, { end: false });
    const read = hashed.digests();
    if (read.sha256 !== entry.sha256 || read.size !== entry.size) {
      throw new JobFailedError(`${where}: the bytes read do not match the checksum recorded when the file landed `
        + `(SHA-256 recorded ${entry.sha256}, read ${read.sha256}; size recorded ${entry.size}, read ${read.size}). `
        + 'The stored copy is damaged: land the file again with a new sync of its job.');
    }
  } catch (err) {
    if (err instanceof JobFailedError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') throw err; // the reader stopped early: see action()
    if (code === 'ENOENT') throw new JobFailedError(`${where}: the blob is missing from the store; the dataset is damaged.`);
    throw new JobFailedError(`${where}: reading failed: ${(err as Error).message}`);
  }
}

/** Registers `datasets` and its subcommands. */
export function registerDatasets(program: Command): void {
  const group = program.command('datasets').description('what landed: datasets, their transactions and files, in the config\'s datasetStore');
  const sub = (spec: string, description: string) => addGlobalOptions(group.command(spec).description(description)).exitOverride();
  sub('list', 'datasets in the store, with their latest transaction, file count and bytes')
    .action(action(list));
  sub('show <name>', 'latest transaction, transaction count, files and bytes of the current view (and media types)')
    .action(action(show));
  sub('transactions <name>', 'every committed transaction: id, type, committedAt, job, files, bytes')
    .action(action(transactions));
  sub('files <name>', 'the current view (or the files one transaction added); --json: one file a line, with provenance')
    .option('--transaction <id>', 'only the files this transaction added or replaced', wholeNumber(1, undefined, 'a transaction id'))
    .action(action(files));
  sub('cat <name> <path>', 'write a file\'s bytes to stdout, verifying its SHA-256 as they stream')
    .action(action(cat));
}
