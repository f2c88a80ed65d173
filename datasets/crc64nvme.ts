/**
 * CRC-64/NVME, the checksum S3 stores as x-amz-checksum-crc64nvme: AWS adds it to every object
 * uploaded without a checksum of its own (since December 2024), multipart ones included, where
 * the ETag is no MD5. Node has no native CRC-64, so this is table-driven JavaScript, eight bytes
 * per step on 32-bit halves, several times slower than zlib's native CRC32: imports compute it
 * only when it is the only full check an object offers, and on a blob-writing thread.
 */
import { hex32 } from '../s3/checksums';

/**
 * The eight lookup tables: table k holds, for each byte value b, the CRC register after b and k
 * zero bytes, as [low 32 bits, high 32 bits] pairs.
 */
export function crc64nvmeTables(): Uint32Array[] {
  // The reflected form of CRC-64/NVME's polynomial 0xad93d23594c93659.
  const poly = 0x9a6c9329ac4bc9b5n;
  const tables = Array.from({ length: 8 }, () => new Uint32Array(512));
  const first = tables[0]!;
  for (let b = 0; b < 256; b++) {
    let crc = BigInt(b);
    for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
    first[2 * b] = Number(crc & 0xffffffffn);
    first[2 * b + 1] = Number(crc >> 32n);
  }
  for (let k = 1; k < 8; k++) {
    const previous = tables[k - 1]!;
    const table = tables[k]!;
    for (let b = 0; b < 256; b++) {
      const lo = previous[2 * b]!;
      const hi = previous[2 * b + 1]!;
      const at = (lo & 0xff) * 2;
      table[2 * b] = (((lo >>> 8) | (hi << 24)) ^ first[at]!) >>> 0;
      table[2 * b + 1] = ((hi >>> 8) ^ first[at + 1]!) >>> 0;
    }
  }
  return tables;
}

/** A fresh register: [low, high], all ones (CRC-64/NVME's initial value). */
export function crc64nvmeStart(): Uint32Array {
  return Uint32Array.of(0xffffffff, 0xffffffff);
}

/** Feeds `data` into `register` (from crc64nvmeStart), in place. */
export function crc64nvmeUpdate(tables: Uint32Array[], register: Uint32Array, data: Uint8Array): void {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let lo = register[0]!;
  let hi = register[1]!;
  let i = 0;
  for (const end = data.length - 7; i < end; i += 8) {
    // Eight bytes at once: the first one passes through seven more bytes' worth of table.
    lo ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    hi ^= data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
    const a = (lo & 0xff) * 2, b = ((lo >>> 8) & 0xff) * 2, c = ((lo >>> 16) & 0xff) * 2, d = (lo >>> 24) * 2;
    const e = (hi & 0xff) * 2, f = ((hi >>> 8) & 0xff) * 2, g = ((hi >>> 16) & 0xff) * 2, h = (hi >>> 24) * 2;
    lo = t7[a]! ^ t6[b]! ^ t5[c]! ^ t4[d]! ^ t3[e]! ^ t2[f]! ^ t1[g]! ^ t0[h]!;
    hi = t7[a + 1]! ^ t6[b + 1]! ^ t5[c + 1]! ^ t4[d + 1]! ^ t3[e + 1]! ^ t2[f + 1]! ^ t1[g + 1]! ^ t0[h + 1]!;
  }
  for (; i < data.length; i++) {
    const at = ((lo ^ data[i]!) & 0xff) * 2;
    lo = ((lo >>> 8) | (hi << 24)) ^ t0[at]!;
    hi = (hi >>> 8) ^ t0[at + 1]!;
  }
  register[0] = lo;
  register[1] = hi;
}

/** The CRC of what was fed into `register`, as 16 hex digits (the bytes S3 sends base64-encoded). */
export function crc64nvmeHex(register: Uint32Array): string {
  // The final XOR with all ones, high half first.
  return hex32(~register[1]!) + hex32(~register[0]!);
}
