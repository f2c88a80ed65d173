/**
 * A {@link TableStorage} that counts what it reads: the bytes of every object and range read
 * and the number of requests (GETs and listing pages are not told apart from the listing's
 * size: a listing counts as one request per call and no bytes). `tables read` reports these
 * figures, and tests and the benchmark compare them with a full scan's.
 */
import type { ListOptions, StoredObject, TableStorage } from './storage';

/** Counts of one storage's reads. */
export interface ReadCounts {
  /** Bytes of object data received (whole objects and ranges). */
  bytes: number;
  /** Reads of objects or ranges. */
  reads: number;
  /** Listings started. */
  lists: number;
}

/** Wraps `inner`, counting its reads into {@link CountingTableStorage.counts}. */
export class CountingTableStorage implements TableStorage {
  readonly counts: ReadCounts = { bytes: 0, reads: 0, lists: 0 };

  constructor(private readonly inner: TableStorage) {}

  /** The wrapped storage's location. */
  get location(): string {
    return this.inner.location;
  }

  /** Lists through the wrapped storage, counting one listing. */
  list(prefix: string, options?: ListOptions): AsyncIterable<StoredObject> {
    this.counts.lists++;
    return this.inner.list(prefix, options);
  }

  /** Reads a whole object, counting its bytes. */
  async read(key: string): Promise<Uint8Array> {
    const bytes = await this.inner.read(key);
    this.counts.reads++;
    this.counts.bytes += bytes.byteLength;
    return bytes;
  }

  /** Reads a range, counting its bytes. */
  async readRange(key: string, start: number, end: number): Promise<Uint8Array> {
    const bytes = await this.inner.readRange(key, start, end);
    this.counts.reads++;
    this.counts.bytes += bytes.byteLength;
    return bytes;
  }

  /** The wrapped storage's key of an absolute URI. */
  keyOfUri(uri: string): string {
    return this.inner.keyOfUri(uri);
  }
}
