/**
 * CRC32C (Castagnoli), the checksum S3 stores as x-amz-checksum-crc32c, whole-object or composite
 * (per part). Node's zlib has CRC32 only, and the SDK's CRC32C is an internal package's
 * byte-at-a-time loop, so this is table-driven JavaScript, eight bytes per step (as
 * crc64nvme.ts): imports compute it only when it is the check an object offers, and on a
 * blob-writing thread.
 */

/** Table k holds, for each byte value b, the CRC register after b and k zero bytes. */
export function crc32cTables(): Uint32Array[] {
  // The reflected form of CRC32C's polynomial 0x1edc6f41.
  const poly = 0x82f63b78;
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  const first = tables[0]!;
  for (let b = 0; b < 256; b++) {
    let crc = b;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ poly : crc >>> 1;
    first[b] = crc >>> 0;
  }
  for (let k = 1; k < 8; k++) {
    const previous = tables[k - 1]!;
    const table = tables[k]!;
    for (let b = 0; b < 256; b++) table[b] = ((previous[b]! >>> 8) ^ first[previous[b]! & 0xff]!) >>> 0;
  }
  return tables;
}

/**
 * The CRC32C of `data` continued from `crc` (the CRC32C of the bytes before it, 0 for none), as
 * zlib's crc32(data, value) continues a CRC32. Unsigned.
 */
export function crc32cUpdate(tables: Uint32Array[], crc: number, data: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let c = ~crc;
  let i = 0;
  for (const end = data.length - 7; i < end; i += 8) {
    // Eight bytes at once: the first one passes through seven more bytes' worth of table.
    const lo = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    const hi = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
    c = t7[lo & 0xff]! ^ t6[(lo >>> 8) & 0xff]! ^ t5[(lo >>> 16) & 0xff]! ^ t4[lo >>> 24]!
      ^ t3[hi & 0xff]! ^ t2[(hi >>> 8) & 0xff]! ^ t1[(hi >>> 16) & 0xff]! ^ t0[hi >>> 24]!;
  }
  for (; i < data.length; i++) c = t0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
