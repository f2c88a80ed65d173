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

/** Transaction ids are zero-padded so that names sort in commit order. */
export function recordPath(dataset: string, id: number): string {
  return `${dataset}/transactions/${String(id).padStart(12, '0')}.json`;
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
    const names = (await this.backend.list(`${this.name}/transactions`)).filter((n) => /^\d{12}\.json$/.test(n));
    const records = await Promise.all(names.map(async (n) => {
      const data = await this.backend.read(`${this.name}/transactions/${n}`);
      return data ? (JSON.parse(data.toString('utf8')) as TransactionRecord) : undefined;
    }));
    return records.filter((r): r is TransactionRecord => r !== undefined);
  }

  /** The newest committed transaction, if any. */
  async latest(): Promise<TransactionRecord | undefined> {
    const names = (await this.backend.list(`${this.name}/transactions`)).filter((n) => /^\d{12}\.json$/.test(n));
    const last = names.at(-1);
    const data = last ? await this.backend.read(`${this.name}/transactions/${last}`) : undefined;
    return data ? (JSON.parse(data.toString('utf8')) as TransactionRecord) : undefined;
  }

  /** The file entries a transaction added or replaced. */
  async transactionFiles(record: TransactionRecord): Promise<FileEntry[]> {
    const parts = await Promise.all(record.manifests.map((m) => this.backend.read(m)));
    return parts.flatMap((p, i) => {
      if (!p) throw new CommitError(`manifest ${record.manifests[i]} of transaction ${record.id} is missing from ${this.backend.location}.`);
      return fromJsonLines<FileEntry>(p);
    });
  }

  /** The current files: replayed from the last SNAPSHOT through later APPENDs and UPDATEs. */
  async view(): Promise<Map<string, FileEntry & { transaction: number }>> {
    const records = await this.transactions();
    const start = records.map((r) => r.type).lastIndexOf('SNAPSHOT');
    const files = new Map<string, FileEntry & { transaction: number }>();
    for (const record of records.slice(Math.max(0, start))) {
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
}
