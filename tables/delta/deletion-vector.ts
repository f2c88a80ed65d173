/**
 * Deletion vectors (PROTOCOL.md "Deletion Vectors", "Deletion Vector Format"): where one is
 * (inline, a UUID-named file relative to the root, an absolute path), its unique id for log
 * replay, and its rows, read from the DV file with its size and CRC-32 checked.
 */
import { crc32 } from 'node:zlib';
import type { TableStorage } from '../storage';
import type { DeletionVectorDescriptor } from './actions';
import { DeltaTableError } from './errors';
import { keyOfLogPath } from './paths';
import { decodeRoaring64, decodeRoaringNative, type RowIndexSet } from './roaring';
import { z85Decode, z85DecodeUuid } from './z85';

/** The magic number before a portable 64-bit RoaringBitmap (the format Delta writes). */
const PORTABLE_MAGIC = 1681511377;
/** The magic number of the older native RoaringBitmapArray format. */
const NATIVE_MAGIC = 1681511376;

/** `uniqueId` (derived field): `<storageType><pathOrInlineDv>[@<offset>]`. */
export function dvUniqueId(dv: DeletionVectorDescriptor): string {
  return `${dv.storageType}${dv.pathOrInlineDv}${dv.offset === undefined ? '' : `@${dv.offset}`}`;
}

/** The storage key of an on-disk DV's file (undefined for an inline one). */
export function dvFileKey(storage: TableStorage, dv: DeletionVectorDescriptor): string | undefined {
  switch (dv.storageType) {
    case 'i': return undefined;
    case 'p': return keyOfLogPath(storage, dv.pathOrInlineDv);
    case 'u': {
      const p = dv.pathOrInlineDv;
      if (p.length < 20) throw new DeltaTableError(`deletion vector path "${p}" is shorter than a Z85 UUID`);
      const prefix = p.slice(0, -20);
      return `${prefix === '' ? '' : `${prefix}/`}deletion_vector_${z85DecodeUuid(p.slice(-20))}.bin`;
    }
  }
}

/** The deleted rows of one logical file. */
export async function readDeletionVector(storage: TableStorage, dv: DeletionVectorDescriptor): Promise<RowIndexSet> {
  const key = dvFileKey(storage, dv);
  if (key === undefined) {
    const bytes = z85Decode(dv.pathOrInlineDv).subarray(0, dv.sizeInBytes);
    return checkCardinality(decodeBitmapData(bytes, 'an inline deletion vector'), dv, 'an inline deletion vector');
  }
  // The file: a version byte (1), then per DV: size (4 bytes, big-endian), data, CRC-32 (big-endian).
  // Without an offset the DV is the file's first, right after the version byte.
  const offset = dv.offset ?? 1;
  const end = offset + 4 + dv.sizeInBytes + 4;
  const fromZero = offset <= 65536;
  const bytes = await storage.readRange(key, fromZero ? 0 : offset, end);
  const where = `deletion vector file ${key}`;
  if (bytes.length < (fromZero ? end : end - offset)) throw new DeltaTableError(`${where} ends before the DV at offset ${offset}`);
  if (fromZero && bytes[0] !== 1) throw new DeltaTableError(`${where} has format version ${bytes[0]}, not 1`);
  const at = fromZero ? offset : 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getUint32(at, false);
  if (size !== dv.sizeInBytes) throw new DeltaTableError(`${where}: the DV at offset ${offset} has ${size} bytes, the log says ${dv.sizeInBytes}`);
  const data = bytes.subarray(at + 4, at + 4 + size);
  const checksum = view.getUint32(at + 4 + size, false);
  if (crc32(data) !== checksum) throw new DeltaTableError(`${where}: the DV at offset ${offset} fails its CRC-32 check`);
  return checkCardinality(decodeBitmapData(data, where), dv, where);
}

/** Decodes Delta's bitmap data: the magic number, then a portable 64-bit RoaringBitmap (or the native format). */
export function decodeBitmapData(bytes: Uint8Array, where: string): RowIndexSet {
  if (bytes.length < 4) throw new DeltaTableError(`${where} is too short`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
  if (view.getUint32(0, true) === PORTABLE_MAGIC) return decodeRoaring64(bytes.subarray(4));
  if (view.getUint32(0, true) === NATIVE_MAGIC) return decodeRoaringNative(bytes.subarray(4), true);
  if (view.getUint32(0, false) === NATIVE_MAGIC) return decodeRoaringNative(bytes.subarray(4), false);
  throw new DeltaTableError(`${where}: magic number ${view.getUint32(0, true)} is not a RoaringBitmap format of Delta`);
}

function checkCardinality(set: RowIndexSet, dv: DeletionVectorDescriptor, where: string): RowIndexSet {
  if (set.cardinality !== dv.cardinality) throw new DeltaTableError(`${where} holds ${set.cardinality} rows, the log says ${dv.cardinality}`);
  return set;
}
