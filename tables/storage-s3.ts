/**
 * A {@link TableStorage} over a source's bucket: the table's root is a folder below the source
 * URL. Listings use ListObjectsV2 (url-encoded keys, StartAfter), reads GetObject (ranged where
 * asked). S3 errors are classified where they are born (s3/errors.ts), so a transient one is
 * retried by the activity's policy and a missing object becomes {@link TableObjectNotFoundError}.
 * Absolute URIs are followed only inside the root's bucket and prefix.
 */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { INSTRUCTION_SUFFIX } from '../crypto/instruction-file';
import { readDecrypted } from '../crypto/whole-object';
import type { SourceClient } from '../s3/client';
import { classifyS3Error, S3OperationError } from '../s3/errors';
import { decodeListedKey, joinKey } from '../s3/keys';
import {
  checkRelativeKey, TableObjectNotFoundError, TableOutsideRootError,
  type ListOptions, type StoredObject, type TableStorage,
} from './storage';

/** The GCM tag that ends every client-side encrypted object (both formats read). */
const GCM_TAG_BYTES = 16;

/** Reads the table whose root is `folder` (relative to the source URL) in `client`'s bucket. */
export class S3TableStorage implements TableStorage {
  readonly location: string;
  /** The root's full key prefix, '' or ending with '/'. */
  private readonly root: string;

  /** @param folder the table's folder below the source URL (e.g. `tables/orders/`) */
  constructor(private readonly client: SourceClient, folder: string) {
    // Encrypted table files are decrypted whole (a GCM tag covers the whole object); their listed
    // sizes are the plaintext's only when every object carries the 16-byte tag.
    if (client.kms && client.config.clientKms?.allowPlaintext) {
      throw new Error(`source ${client.name} has clientKms with allowPlaintext: tables on it are not read, as a listed size cannot tell an encrypted file (16 bytes of GCM tag longer than its plaintext) from a plain one. Fix: remove allowPlaintext, or read the table through a source without clientKms.`);
    }
    if (client.kms && client.config.clientKms?.allowLegacy) {
      throw new Error(`source ${client.name} has clientKms with allowLegacy: tables on it are not read, as a listed size cannot tell a legacy AES-CBC file (padded, no tag) from a GCM one (16 bytes of tag). Fix: remove allowLegacy for table reads (sync the legacy objects through another source).`);
    }
    const root = joinKey(client.prefix, folder);
    this.root = root === '' || root.endsWith('/') ? root : `${root}/`;
    this.location = `s3://${client.bucket}/${this.root}`;
  }

  /** Every object below `prefix` (relative to the root), in key order. */
  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<StoredObject> {
    const full = this.root + prefix;
    let token: string | undefined;
    do {
      let out;
      try {
        out = await this.client.s3.send(new ListObjectsV2Command({
          Bucket: this.client.bucket, Prefix: full || undefined, ContinuationToken: token, EncodingType: 'url',
          StartAfter: token === undefined && options.startAfter !== undefined ? this.root + options.startAfter : undefined,
        }));
      } catch (err) {
        throw classifyS3Error(err, 'ListObjectsV2', this.client.bucket, `ListObjectsV2 s3://${this.client.bucket}/${full}`);
      }
      const decode = out.EncodingType === 'url' ? decodeListedKey : (key: string) => key;
      for (const o of out.Contents ?? []) {
        const key = decode(o.Key ?? '');
        if (!key.startsWith(this.root)) continue;
        // clientKms: envelopes are no table files, and a file's plaintext is its GCM tag shorter.
        if (this.client.kms && key.endsWith(INSTRUCTION_SUFFIX)) continue;
        const size = this.client.kms ? Math.max(0, (o.Size ?? 0) - GCM_TAG_BYTES) : o.Size ?? 0;
        yield { key: key.slice(this.root.length), size, lastModified: (o.LastModified ?? new Date(0)).getTime() };
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  /** The whole object. */
  read(key: string): Promise<Uint8Array> {
    return this.get(key);
  }

  /** Bytes [start, end) of the object (fewer when it ends before `end`). */
  async readRange(key: string, start: number, end: number): Promise<Uint8Array> {
    if (end <= start) return new Uint8Array(0);
    return this.get(key, { start, end });
  }

  /** The key of an `s3://` or `s3a://` URI inside the root's bucket and prefix. */
  keyOfUri(uri: string): string {
    const m = /^s3a?:\/\/([^/]+)\/(.*)$/.exec(uri);
    if (!m || m[1] !== this.client.bucket) throw new TableOutsideRootError(uri, this.location);
    let path: string;
    try {
      path = decodeURIComponent(m[2] ?? '');
    } catch {
      throw new TableOutsideRootError(uri, this.location);
    }
    if (!path.startsWith(this.root) || path.length === this.root.length) throw new TableOutsideRootError(uri, this.location);
    return checkRelativeKey(path.slice(this.root.length), this.location);
  }

  /** The last objects decrypted (a table file is read by several ranges: footer, then row groups). */
  private readonly plaintexts = new Map<string, Promise<Buffer>>();

  private decrypted(key: string, full: string): Promise<Buffer> {
    let hit = this.plaintexts.get(full);
    if (!hit) {
      hit = readDecrypted(this.client, full, { fix: 'sync the table\'s files (syncs decrypt in constant memory) or keep table files below 64 MiB.' })
        .then((r) => r.plaintext, (err: unknown) => {
          this.plaintexts.delete(full);
          if (err instanceof S3OperationError && err.kind === 'gone') throw new TableObjectNotFoundError(key, this.location);
          throw err;
        });
      this.plaintexts.set(full, hit);
      // Two files at most: a scan reads one file at a time (and prefetches the next one's footer).
      while (this.plaintexts.size > 2) this.plaintexts.delete(this.plaintexts.keys().next().value!);
    }
    return hit;
  }

  private async get(key: string, bounds?: { start: number; end: number }): Promise<Uint8Array> {
    checkRelativeKey(key, this.location);
    const full = this.root + key;
    const range = bounds ? `bytes=${bounds.start}-${bounds.end - 1}` : undefined;
    if (this.client.kms) {
      const plaintext = await this.decrypted(key, full);
      return bounds ? plaintext.subarray(bounds.start, bounds.end) : plaintext;
    }
    try {
      const out = await this.client.s3.send(new GetObjectCommand({ Bucket: this.client.bucket, Key: full, Range: range }));
      const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array(0);
      // A store that ignores Range answers 200 with the whole object: cut the range out of it.
      return bounds && out.ContentRange === undefined ? bytes.subarray(bounds.start, bounds.end) : bytes;
    } catch (err) {
      const classified = classifyS3Error(err, 'GetObject', this.client.bucket, `GetObject s3://${this.client.bucket}/${full}${range ? ` ${range}` : ''}`);
      if (classified.kind === 'gone') throw new TableObjectNotFoundError(key, this.location);
      throw classified;
    }
  }
}
