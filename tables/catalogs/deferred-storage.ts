/**
 * The storage of a catalog table before its catalog was asked where the table is: a stand-in
 * that takes the table's real storage once resolved ({@link DeferredTableStorage.bind}) and
 * passes everything to it. Wrappers made around it before (the CLI's counting storage) keep
 * working, since they call through it.
 */
import type { ListOptions, StoredObject, TableStorage } from '../storage';

/** A {@link TableStorage} bound to its target later; use before binding fails naming the table. */
export class DeferredTableStorage implements TableStorage {
  private target: TableStorage | undefined;

  /** @param placeholder the location shown until bound, e.g. `sales.orders (sources.lake.catalog)` */
  constructor(private readonly placeholder: string) {}

  /** Points this storage at the table's folder. */
  bind(target: TableStorage): void {
    this.target = target;
  }

  /** The bound storage's location, or the placeholder. */
  get location(): string {
    return this.target?.location ?? this.placeholder;
  }

  private bound(): TableStorage {
    if (!this.target) throw new Error(`catalog table ${this.placeholder} was read before its catalog was asked where it is (resolveTable in tables/registry-ops.ts)`);
    return this.target;
  }

  /** Lists through the bound storage. */
  list(prefix: string, options?: ListOptions): AsyncIterable<StoredObject> {
    return this.bound().list(prefix, options);
  }

  /** Reads through the bound storage. */
  read(key: string): Promise<Uint8Array> {
    return this.bound().read(key);
  }

  /** Reads a range through the bound storage. */
  readRange(key: string, start: number, end: number): Promise<Uint8Array> {
    return this.bound().readRange(key, start, end);
  }

  /** The bound storage's key of an absolute URI. */
  keyOfUri(uri: string): string {
    return this.bound().keyOfUri(uri);
  }
}
