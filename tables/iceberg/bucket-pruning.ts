/**
 * Data files skipped by the bucket of an equality (`col = v`, `col IN (...)`): Iceberg's
 * bucket[N] transform (the specification's "Bucket Transform Details": murmur3 x86 32-bit, seed
 * 0, of the value's bytes — an int or long as its 8-byte little-endian long, a string as UTF-8 —
 * then `(hash & Integer.MAX_VALUE) % N`) tells which bucket each literal falls in; a file whose
 * bucket holds none of them cannot match. Only int, long and string source columns; any other
 * predicate (ranges, NOT, other types) is left as it may match.
 */
import type { Bound } from '../predicate/bind';
import type { ContentFile } from './manifests';
import type { PartitionSpec } from './metadata';
import type { IcebergField } from './types';

/** MurmurHash3's x86 32-bit hash of `bytes` with seed 0, as a signed 32-bit integer. */
export function murmur3(bytes: Uint8Array): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = 0;
  const blocks = bytes.length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = (bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = bytes.length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= (bytes[blocks + 2] as number) << 16;
    if (tail >= 2) k ^= (bytes[blocks + 1] as number) << 8;
    k ^= bytes[blocks] as number;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** The bucket of a literal of an int, long or string column; undefined for anything else. */
export function bucketOf(field: IcebergField, key: unknown, scale: number, buckets: number): number | undefined {
  const t = field.type;
  if (t.kind !== 'primitive') return undefined;
  let bytes: Uint8Array;
  if ((t.name === 'int' || t.name === 'long') && typeof key === 'bigint') {
    const unit = 10n ** BigInt(scale);
    if (key % unit !== 0n) return undefined; // not an integer: no row equals it, but no bucket says so
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt.asIntN(64, key / unit));
    bytes = buf;
  } else if (t.name === 'string' && typeof key === 'string') {
    bytes = Buffer.from(key, 'utf8');
  } else {
    return undefined;
  }
  return (murmur3(bytes) & 0x7fffffff) % buckets;
}

/** Whether `bound` may hold for some row of `file`, by its bucket partition values alone. */
export function bucketsMayMatch(bound: Bound, file: ContentFile, spec: PartitionSpec | undefined, fieldsById: Map<number, IcebergField>): boolean {
  const buckets = (spec?.fields ?? []).flatMap((f) => {
    const m = /^bucket\[(\d+)\]$/.exec(f.transform);
    const value = file.partition.get(f.fieldId);
    return m && typeof value === 'number' ? [{ sourceId: f.sourceId, n: Number(m[1]), value }] : [];
  });
  if (buckets.length === 0) return true;
  const walk = (b: Bound): boolean => {
    switch (b.kind) {
      case 'and': return walk(b.left) && walk(b.right);
      case 'or': return walk(b.left) || walk(b.right);
      case 'not': case 'isNull': return true;
      default: {
        if (b.kind === 'compare' && b.op !== '=') return true;
        const id = b.column.fields.length === 1 ? b.column.fields[0]?.fieldId : undefined;
        const field = id === undefined ? undefined : fieldsById.get(id);
        const bucket = buckets.find((x) => x.sourceId === id);
        if (!field || !bucket) return true;
        const keys = b.kind === 'compare' ? [b.key] : b.keys;
        return keys.some((k) => {
          if (k === null) return false; // = NULL is never true
          const of = bucketOf(field, k, b.column.scale, bucket.n);
          return of === undefined || of === bucket.value;
        });
      }
    }
  };
  return walk(bound);
}
