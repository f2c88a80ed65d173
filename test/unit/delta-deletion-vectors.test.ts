/**
 * Deletion vectors: Z85, the portable 64-bit RoaringBitmap (array, bitmap and run containers),
 * the DV file format with its size and CRC-32 check, and where each storage type points.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { goldenTable } from '../harness/delta-fixtures';
import { syntheticTable, GOLDEN_DV } from '../harness/delta-synthetic';
import { LocalTableStorage } from '../../tables/storage-local';
import { TableOutsideRootError } from '../../tables/storage';
import { decodeBitmapData, dvFileKey, dvUniqueId, readDeletionVector } from '../../tables/delta/deletion-vector';
import { decodeRoaring64 } from '../../tables/delta/roaring';
import { z85Decode, z85DecodeUuid } from '../../tables/delta/z85';
import type { DeletionVectorDescriptor } from '../../tables/delta/actions';

const u16 = (...v: number[]) => Buffer.from(new Uint16Array(v).buffer);
const u32 = (...v: number[]) => Buffer.from(new Uint32Array(v).buffer);

describe('deletion vectors', () => {
  test('Z85 decodes the UUID of the protocol\'s example into its file name under the random prefix', () => {
    const storage = new LocalTableStorage('/tmp');
    const dv: DeletionVectorDescriptor = { storageType: 'u', pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^', offset: 4, sizeInBytes: 40, cardinality: 6 };
    expect(dvFileKey(storage, dv)).toBe('ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin');
    expect(dvUniqueId(dv)).toBe('uab^-aqEH.-t@S}K{vb[*k^@4');
    expect(z85DecodeUuid('vBn[lx{q8@P<9BNH/isA')).toBe('61d16c75-6994-46b7-a15b-8b538852e50e');
    expect(() => z85Decode('abc')).toThrow(/multiple of 5/);
  });

  test('the protocol\'s inline example (the older native format, its headers big-endian) holds rows 3, 4, 7, 11, 18 and 29', async () => {
    const dv: DeletionVectorDescriptor = { storageType: 'i', pathOrInlineDv: 'wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L', sizeInBytes: 40, cardinality: 6 };
    expect(dvUniqueId(dv)).toBe('iwi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L');
    const rows = await readDeletionVector(new LocalTableStorage('/tmp'), dv);
    expect(rows.toArray()).toEqual([3, 4, 7, 11, 18, 29]);
    expect(rows.has(4)).toBe(true);
    expect(rows.has(5)).toBe(false);
  });

  test('array, bitmap and run containers in two 32-bit buckets decode to their rows', () => {
    const bitmap = new Uint32Array(2048);
    for (let v = 0; v <= 4096; v++) bitmap[v >>> 5] = (bitmap[v >>> 5] as number) | (1 << (v & 31));
    const bucket0 = Buffer.concat([
      u32(12346, 2), u16(0, 2, 1, 4096), u32(0, 0), // no-run cookie, 2 containers (key, card-1), offsets
      u16(1, 5, 65535), Buffer.from(bitmap.buffer),
    ]);
    const bucket1 = Buffer.concat([u32(12347), Buffer.from([1]), u16(2, 9), u16(1, 10, 9)]); // one run container, no offsets
    const bytes = Buffer.concat([Buffer.from(new BigUint64Array([2n]).buffer), u32(0), bucket0, u32(1), bucket1]);
    const set = decodeRoaring64(new Uint8Array(bytes));
    expect(set.cardinality).toBe(3 + 4097 + 10);
    for (const row of [1, 5, 65535, 65536, 65536 + 4096]) expect(set.has(row)).toBe(true);
    for (const row of [0, 2, 65536 + 4097, 2 ** 32 + 2 * 65536 + 9, 2 ** 32 + 2 * 65536 + 20]) expect(set.has(row)).toBe(false);
    for (let v = 10; v <= 19; v++) expect(set.has(2 ** 32 + 2 * 65536 + v)).toBe(true);
    expect(set.toArray().slice(0, 4)).toEqual([1, 5, 65535, 65536]);
    // The same first bucket in the native format as Spark writes it: magic, count and sizes little-endian.
    const native = decodeBitmapData(new Uint8Array(Buffer.concat([u32(1681511376, 1, bucket0.length), bucket0])), 'native');
    expect(native.cardinality).toBe(3 + 4097);
    expect(native.has(65536 + 4096)).toBe(true);
  });

  test('a DV file is read at its offset after its size is checked against the log', async () => {
    const storage = new LocalTableStorage(goldenTable('table-with-dv-small'));
    const rows = await readDeletionVector(storage, GOLDEN_DV as DeletionVectorDescriptor);
    expect(rows.toArray()).toEqual([0, 9]);
    await expect(readDeletionVector(storage, { ...GOLDEN_DV, sizeInBytes: 35 } as DeletionVectorDescriptor)).rejects.toThrow(/has 36 bytes, the log says 35/);
    await expect(readDeletionVector(storage, { ...GOLDEN_DV, cardinality: 3 } as DeletionVectorDescriptor)).rejects.toThrow(/holds 2 rows, the log says 3/);
  });

  test('a DV file with a flipped byte fails its CRC-32 check instead of deleting the wrong rows', async () => {
    const root = syntheticTable([]);
    cpSync(goldenTable('table-with-dv-small'), root, { recursive: true });
    const file = join(root, 'deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin');
    const bytes = readFileSync(file);
    bytes[bytes.length - 6] = (bytes[bytes.length - 6] as number) ^ 0x01;
    writeFileSync(file, bytes);
    await expect(readDeletionVector(new LocalTableStorage(root), GOLDEN_DV as DeletionVectorDescriptor)).rejects.toThrow(/CRC-32/);
  });

  test('an absolute DV path is read inside the root and refused outside it', async () => {
    const root = goldenTable('table-with-dv-small');
    const storage = new LocalTableStorage(root);
    const inside = { ...GOLDEN_DV, storageType: 'p', pathOrInlineDv: `file://${root}/deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin` } as DeletionVectorDescriptor;
    expect((await readDeletionVector(storage, inside)).toArray()).toEqual([0, 9]);
    const outside = { ...inside, pathOrInlineDv: 'file:///etc/deletion_vector.bin' };
    await expect(readDeletionVector(storage, outside)).rejects.toThrow(TableOutsideRootError);
  });
});
