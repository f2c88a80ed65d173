/**
 * Reading a dataset store as a catalog: which datasets exist, their current views streamed one
 * manifest part at a time, totals, and one file looked up by path. Read-only; the format is
 * docs/dataset-format.md.
 */
import pLimit from 'p-limit';
import type { StoreBackend } from './backend';
import { Dataset, recordNames, viewRecords } from './dataset';
import type { FileEntry, TransactionRecord } from './types';

/** A file entry with the id of the transaction that added it. */
export type ViewEntry = FileEntry & { transaction: number };

/** Thrown when a dataset, a transaction or a path does not exist; the message names what does. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** A dataset name is one folder directly below the store's root. */
function isDatasetName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\\');
}

async function hasRecords(store: StoreBackend, name: string): Promise<boolean> {
  return (await recordNames(store, name)).length > 0;
}

/**
 * The datasets of a store, sorted: the folders below its root holding at least one committed
 * transaction record. A dataset whose first run has not committed yet is not listed.
 */
export async function listDatasets(store: StoreBackend): Promise<string[]> {
  const names = (await store.list('')).filter(isDatasetName);
  const limit = pLimit(16);
  const found = await Promise.all(names.map((n) => limit(() => hasRecords(store, n))));
  return names.filter((_, i) => found[i]);
}

/** Opens dataset `name`. @throws NotFoundError naming the store and the datasets it holds. */
export async function openDataset(store: StoreBackend, name: string): Promise<Dataset> {
  if (isDatasetName(name) && await hasRecords(store, name)) return new Dataset(store, name);
  const names = await listDatasets(store);
  throw new NotFoundError(`dataset "${name}" not found in ${store.location}; datasets: ${names.join(', ') || '(none yet: run a sync first)'}.`);
}

/** Streams the entries a transaction added, one manifest part at a time. */
export async function* transactionEntries(dataset: Dataset, record: TransactionRecord): AsyncGenerator<FileEntry[]> {
  for (const part of record.manifests) yield await dataset.manifestPart(record, part);
}

/**
 * Streams the current view in replay order, one batch per manifest part, each path once (its
 * latest entry). Memory holds one manifest part, plus the paths of every replayed transaction
 * after the first, which are needed to know which earlier entries they replace.
 */
export async function* viewEntries(dataset: Dataset, records?: readonly TransactionRecord[]): AsyncGenerator<ViewEntry[]> {
  const replay = viewRecords(records ?? await dataset.transactions());
  const newest = new Map<string, number>();
  for (const record of replay.slice(1)) {
    for await (const part of transactionEntries(dataset, record)) for (const entry of part) newest.set(entry.path, record.id);
  }
  for (const record of replay) {
    for await (const part of transactionEntries(dataset, record)) {
      const batch = part.filter((e) => (newest.get(e.path) ?? record.id) <= record.id).map((e) => ({ ...e, transaction: record.id }));
      if (batch.length > 0) yield batch;
    }
  }
}

/** What a dataset holds now. */
export interface DatasetSummary {
  name: string;
  /** The newest transaction; undefined only if the records vanished while reading. */
  latest?: TransactionRecord;
  transactions: number;
  files: number;
  bytes: number;
  /** Files per media type (media sets); empty when no entry has one. */
  mediaTypes: Record<string, number>;
}

/**
 * Totals of the current view. With `exact: false` a view made of one transaction is totalled
 * from its record alone (no manifest is read, and media types are not counted).
 */
export async function summarize(dataset: Dataset, options: { exact: boolean } = { exact: true }): Promise<DatasetSummary> {
  const records = await dataset.transactions();
  const summary: DatasetSummary = { name: dataset.name, latest: records.at(-1), transactions: records.length, files: 0, bytes: 0, mediaTypes: {} };
  const replay = viewRecords(records);
  const only = replay.length === 1 ? replay[0] : undefined;
  if (only && !options.exact) return { ...summary, files: only.fileCount, bytes: only.bytes };
  for await (const batch of viewEntries(dataset, records)) {
    for (const entry of batch) {
      summary.files += 1;
      summary.bytes += entry.size;
      if (entry.mediaType) summary.mediaTypes[entry.mediaType] = (summary.mediaTypes[entry.mediaType] ?? 0) + 1;
    }
  }
  return summary;
}

/** Finds a transaction by id. @throws NotFoundError naming the ids that exist. */
export async function findTransaction(dataset: Dataset, id: number): Promise<TransactionRecord> {
  const records = await dataset.transactions();
  const record = records.find((r) => r.id === id);
  if (record) return record;
  const range = records.length ? `${records[0]!.id}..${records.at(-1)!.id}` : 'none';
  throw new NotFoundError(`dataset ${dataset.name} has no transaction ${id}; its transactions are ${range}.`);
}

/**
 * The current entry of `path`, searched from the newest replayed transaction back.
 * @throws NotFoundError saying how many files the view holds and how to list them.
 */
export async function findFile(dataset: Dataset, path: string): Promise<ViewEntry> {
  const replay = viewRecords(await dataset.transactions());
  for (const record of [...replay].reverse()) {
    let found: FileEntry | undefined;
    for await (const part of transactionEntries(dataset, record)) {
      for (const entry of part) if (entry.path === path) found = entry;
    }
    if (found) return { ...found, transaction: record.id };
  }
  const { files } = await summarize(dataset, { exact: false });
  throw new NotFoundError(`path "${path}" not found in the current view of dataset ${dataset.name} (${files} file${files === 1 ? '' : 's'}); list them with: s3-connector datasets files ${dataset.name}`);
}
