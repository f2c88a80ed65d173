/**
 * The 64-bit RoaringBitmap "portable" serialization (RoaringFormatSpec, 64-bit extension) that
 * Delta deletion vectors store: a count of 32-bit buckets, then per bucket its high 32 bits and
 * a standard 32-bit RoaringBitmap of array, bitmap and run containers. Decoded into a read-only
 * set of row indexes that keeps the containers as they are (memory near the serialized size).
 */
import { DeltaTableError } from './errors';

type Container =
  | { kind: 'array'; values: Uint16Array }
  | { kind: 'bitmap'; words: Uint32Array }
  | { kind: 'run'; starts: Uint16Array; lengths: Uint16Array };

const SERIAL_COOKIE_NO_RUN = 12346;
const SERIAL_COOKIE = 12347;
const NO_OFFSET_THRESHOLD = 4;

/** A set of 64-bit row indexes (as numbers: row positions stay below 2^53). */
export class RowIndexSet {
  /** @param buckets per high 32 bits, the containers by their 16-bit key */
  constructor(private readonly buckets: Map<number, Map<number, Container>>, readonly cardinality: number) {}

  /** Whether row `index` is in the set. */
  has(index: number): boolean {
    const high = Math.floor(index / 0x100000000);
    const low = index - high * 0x100000000;
    const container = this.buckets.get(high)?.get(low >>> 16);
    if (!container) return false;
    const v = low & 0xffff;
    switch (container.kind) {
      case 'array': return binarySearch(container.values, v) >= 0;
      case 'bitmap': return ((container.words[v >>> 5] as number) >>> (v & 31) & 1) === 1;
      case 'run': {
        let lo = 0;
        let hi = container.starts.length - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >>> 1;
          const start = container.starts[mid] as number;
          if (v < start) hi = mid - 1;
          else if (v > start + (container.lengths[mid] as number)) lo = mid + 1;
          else return true;
        }
        return false;
      }
    }
  }

  /** Every index, ascending (for tests and small sets). */
  toArray(): number[] {
    const out: number[] = [];
    for (const high of [...this.buckets.keys()].sort((a, b) => a - b)) {
      const containers = this.buckets.get(high) as Map<number, Container>;
      for (const key of [...containers.keys()].sort((a, b) => a - b)) {
        const base = high * 0x100000000 + key * 0x10000;
        const c = containers.get(key) as Container;
        if (c.kind === 'array') for (const v of c.values) out.push(base + v);
        else if (c.kind === 'run') c.starts.forEach((s, i) => { for (let v = s; v <= s + (c.lengths[i] as number); v++) out.push(base + v); });
        else for (let v = 0; v < 65536; v++) if (((c.words[v >>> 5] as number) >>> (v & 31) & 1) === 1) out.push(base + v);
      }
    }
    return out;
  }
}

/** The empty set. */
export const EMPTY_ROW_INDEX_SET = new RowIndexSet(new Map(), 0);

/** Decodes a portable 64-bit RoaringBitmap (without Delta's magic number). */
export function decodeRoaring64(bytes: Uint8Array): RowIndexSet {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  need(bytes, 0, 8);
  const count = Number(view.getBigUint64(0, true));
  let pos = 8;
  let cardinality = 0;
  const buckets = new Map<number, Map<number, Container>>();
  for (let b = 0; b < count; b++) {
    need(bytes, pos, 4);
    const high = view.getUint32(pos, true);
    const decoded = decodeRoaring32(bytes, view, pos + 4);
    pos = decoded.end;
    buckets.set(high, decoded.containers);
    cardinality += decoded.cardinality;
  }
  return new RowIndexSet(buckets, cardinality);
}

/**
 * Decodes Delta's older "native" RoaringBitmapArray format (after its magic number): a count of
 * 32-bit bitmaps, then per bitmap (its index is the high 32 bits) its size and the bitmap. Spark
 * writes the count and sizes little-endian; the protocol's own inline example has them big-endian.
 */
export function decodeRoaringNative(bytes: Uint8Array, littleEndian: boolean): RowIndexSet {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  need(bytes, 0, 4);
  const count = view.getInt32(0, littleEndian);
  let pos = 4;
  let cardinality = 0;
  const buckets = new Map<number, Map<number, Container>>();
  for (let high = 0; high < count; high++) {
    need(bytes, pos, 4);
    const size = view.getInt32(pos, littleEndian);
    const decoded = decodeRoaring32(bytes, view, pos + 4);
    if (decoded.end !== pos + 4 + size) throw new DeltaTableError('deletion vector: a bitmap\'s size does not match its data');
    pos = decoded.end;
    buckets.set(high, decoded.containers);
    cardinality += decoded.cardinality;
  }
  return new RowIndexSet(buckets, cardinality);
}

function decodeRoaring32(bytes: Uint8Array, view: DataView, start: number): { containers: Map<number, Container>; cardinality: number; end: number } {
  need(bytes, start, 4);
  const cookie = view.getUint32(start, true);
  let pos = start + 4;
  let size: number;
  let runFlags: Uint8Array | undefined;
  if ((cookie & 0xffff) === SERIAL_COOKIE) {
    size = (cookie >>> 16) + 1;
    const flagBytes = Math.ceil(size / 8);
    need(bytes, pos, flagBytes);
    runFlags = bytes.subarray(pos, pos + flagBytes);
    pos += flagBytes;
  } else if (cookie === SERIAL_COOKIE_NO_RUN) {
    need(bytes, pos, 4);
    size = view.getUint32(pos, true);
    pos += 4;
  } else {
    throw new DeltaTableError(`deletion vector: not a RoaringBitmap (cookie ${cookie})`);
  }
  need(bytes, pos, size * 4);
  const keys: number[] = [];
  const cards: number[] = [];
  for (let i = 0; i < size; i++) {
    keys.push(view.getUint16(pos, true));
    cards.push(view.getUint16(pos + 2, true) + 1);
    pos += 4;
  }
  if (!runFlags || size >= NO_OFFSET_THRESHOLD) pos += size * 4; // offsets: the containers follow in order anyway
  const containers = new Map<number, Container>();
  let cardinality = 0;
  for (let i = 0; i < size; i++) {
    const isRun = runFlags !== undefined && (((runFlags[i >>> 3] as number) >>> (i & 7)) & 1) === 1;
    if (isRun) {
      need(bytes, pos, 2);
      const runs = view.getUint16(pos, true);
      pos += 2;
      need(bytes, pos, runs * 4);
      const pairs = copyUint16(bytes, pos, runs * 2);
      pos += runs * 4;
      const starts = new Uint16Array(runs);
      const lengths = new Uint16Array(runs);
      for (let r = 0; r < runs; r++) {
        starts[r] = pairs[2 * r] as number;
        lengths[r] = pairs[2 * r + 1] as number;
        cardinality += (lengths[r] as number) + 1;
      }
      containers.set(keys[i] as number, { kind: 'run', starts, lengths });
    } else if ((cards[i] as number) <= 4096) {
      need(bytes, pos, (cards[i] as number) * 2);
      containers.set(keys[i] as number, { kind: 'array', values: copyUint16(bytes, pos, cards[i] as number) });
      pos += (cards[i] as number) * 2;
      cardinality += cards[i] as number;
    } else {
      need(bytes, pos, 8192);
      const words = new Uint32Array(bytes.slice(pos, pos + 8192).buffer);
      containers.set(keys[i] as number, { kind: 'bitmap', words });
      pos += 8192;
      cardinality += cards[i] as number;
    }
  }
  return { containers, cardinality, end: pos };
}

/** Copies little-endian uint16s (the data need not be aligned). */
function copyUint16(bytes: Uint8Array, pos: number, count: number): Uint16Array {
  const out = new Uint16Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset + pos, count * 2);
  for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, true);
  return out;
}

function binarySearch(values: Uint16Array, v: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const m = values[mid] as number;
    if (m === v) return mid;
    if (m < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function need(bytes: Uint8Array, pos: number, length: number): void {
  if (pos + length > bytes.length) throw new DeltaTableError('deletion vector: RoaringBitmap data ends early');
}
