/**
 * One dataset inside a store: its transaction log, its current view, and atomic commits.
 *
 * Layout (docs/dataset-format.md): `<name>/transactions/<id>.json` records, manifests of file
 * entries, content blobs. Only records make anything visible, so a crash before a commit
 * leaves invisible garbage, never a partial transaction.
 */
import type { StoreBackend } from './backend';
import { fromJsonLines } from './jsonl';
import type { FileEntry, TransactionRecord } from './types';

/** The folder of a dataset's transaction records. */
const recordsDir = (dataset: string) => `${dataset}/transactions`;

/** Whether `name` is a committed record's: its zero-padded id, so that names sort in commit order. */
const isRecordName = (name: string) => /^\d{12}\.json$/.test(name);

/** The store path of transaction `id`'s record. */
export function recordPath(dataset: string, id: number): string {
  return `${recordsDir(dataset)}/${String(id).padStart(12, '0')}.json`;
}

/** The names of a dataset's committed records, oldest first; none when it has no records (or does not exist). */
export async function recordNames(store: StoreBackend, dataset: string): Promise<string[]> {
  return (await store.list(recordsDir(dataset))).filter(isRecordName);
}

/** The records the current view replays: the last SNAPSHOT and every later one (all of them without a SNAPSHOT). */
export function viewRecords(records: readonly TransactionRecord[]): TransactionRecord[] {
  const start = records.map((r) => r.type).lastIndexOf('SNAPSHOT');
  return records.slice(Math.max(0, start));
}

/** Thrown when a commit cannot be made; the message says why and what to do. */
export class CommitError extends Error {
  override name = 'CommitError';
}

/** A dataset handle. Cheap to create; every call reads the store afresh. */
export class Dataset {
  constructor(readonly backend: StoreBackend, readonly name: string) {}

  /** Every committed transaction, oldest first. */
  async transactions(): Promise<TransactionRecord[]> {
    const records = await Promise.all((await recordNames(this.backend, this.name)).map((n) => this.readRecord(n)));
    return records.filter((r): r is TransactionRecord => r !== undefined);
  }

  /** The newest committed transaction, if any. */
  async latest(): Promise<TransactionRecord | undefined> {
    const last = (await recordNames(this.backend, this.name)).at(-1);
    return last ? this.readRecord(last) : undefined;
  }

  /** The entries of `part`, one manifest part of `record`. @throws when the part is missing: the dataset is damaged. */
  async manifestPart(record: TransactionRecord, part: string): Promise<FileEntry[]> {
    const text = await this.backend.read(part);
    if (text === undefined) {
      throw new Error(`manifest ${part} of transaction ${record.id} of dataset ${this.name} is missing from ${this.backend.location}: the dataset is damaged.`);
    }
    return fromJsonLines<FileEntry>(text);
  }

  /** The file entries a transaction added or replaced. */
  async transactionFiles(record: TransactionRecord): Promise<FileEntry[]> {
    return (await Promise.all(record.manifests.map((part) => this.manifestPart(record, part)))).flat();
  }

  /** The current files: replayed from the last SNAPSHOT through later APPENDs and UPDATEs. */
  async view(): Promise<Map<string, FileEntry & { transaction: number }>> {
    const files = new Map<string, FileEntry & { transaction: number }>();
    for (const record of viewRecords(await this.transactions())) {
      for (const entry of await this.transactionFiles(record)) files.set(entry.path, { ...entry, transaction: record.id });
    }
    return files;
  }

  /**
   * Commits `record` as the next transaction. The record file is created exclusively, so two
   * writers can never both commit on the same parent: the loser sees the winner's record and
   * takes the next id. A retried commit that already succeeded (same runKey) returns the
   * earlier record instead of committing twice.
   */
  async commit(record: Omit<TransactionRecord, 'id' | 'committedAt'>): Promise<TransactionRecord> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const records = await this.transactions();
      const mine = records.find((r) => r.runKey === record.runKey);
      if (mine) return mine;
      const id = (records.at(-1)?.id ?? 0) + 1;
      const full: TransactionRecord = { ...record, id, committedAt: new Date().toISOString() };
      if (await this.backend.createExclusive(recordPath(this.name, id), JSON.stringify(full, null, 1))) return full;
    }
    throw new CommitError(`dataset ${this.name}: 100 concurrent commits won the race before this one. Fix: retry the job; if it persists, check which jobs write to this dataset.`);
  }

  /** The record named `name`; undefined when it vanished after it was listed. */
  private async readRecord(name: string): Promise<TransactionRecord | undefined> {
    const data = await this.backend.read(`${recordsDir(this.name)}/${name}`);
    return data ? (JSON.parse(data.toString('utf8')) as TransactionRecord) : undefined;
  }
}
