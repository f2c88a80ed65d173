/**
 * The digests of a body, computed in one pass as its bytes go by: SHA-256 (what datasets record)
 * always, MD5, CRC32 and CRC-64/NVME when asked for, and the size. The same Digester runs on the
 * main thread (hashing-stream.ts) and on the blob-writing threads (blob-thread-entry.ts).
 */
import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { hex32 } from '../s3/checksums';
import { crc64nvmeHex, crc64nvmeStart, crc64nvmeTables, crc64nvmeUpdate } from './crc64nvme';

/** Digests of a body, hex, once all of it has been seen. */
export interface StreamDigests {
  sha256: string;
  /** MD5, when asked for (to compare with a single-part ETag). */
  md5?: string;
  /** CRC32 (zlib's, as S3's x-amz-checksum-crc32), when asked for. */
  crc32?: string;
  /** CRC-64/NVME (S3's x-amz-checksum-crc64nvme), when asked for. */
  crc64nvme?: string;
  size: number;
}

/** Checksums computed besides SHA-256, each only when a stored one is to be compared with it. */
export interface DigestChoice {
  /** CRC32, to compare with a stored x-amz-checksum-crc32 (about 8× cheaper than MD5). */
  crc32?: boolean;
  /** CRC-64/NVME, to compare with a stored x-amz-checksum-crc64nvme (about 2× MD5's cost). */
  crc64nvme?: boolean;
}

/** Which digests a Digester computes besides SHA-256, every one spelled out. */
export interface DigestFlags {
  md5: boolean;
  crc32: boolean;
  crc64nvme: boolean;
}

/** CRC-64/NVME's tables, built on first use, once per thread (each thread has its own modules). */
let crc64Tables: Uint32Array[] | undefined;

/** Feed it the bytes in order with update(), then read digests(). */
export class Digester {
  private readonly sha256 = createHash('sha256');
  private readonly md5: Hash | undefined;
  private crc32: number | undefined;
  private readonly crc64: { tables: Uint32Array[]; register: Uint32Array } | undefined;
  private size = 0;

  constructor(flags: DigestFlags) {
    this.md5 = flags.md5 ? createHash('md5') : undefined;
    this.crc32 = flags.crc32 ? 0 : undefined;
    this.crc64 = flags.crc64nvme ? { tables: (crc64Tables ??= crc64nvmeTables()), register: crc64nvmeStart() } : undefined;
  }

  /** Adds the next bytes. */
  update(data: Uint8Array): this {
    this.sha256.update(data);
    this.md5?.update(data);
    if (this.crc32 !== undefined) this.crc32 = crc32(data, this.crc32);
    if (this.crc64) crc64nvmeUpdate(this.crc64.tables, this.crc64.register, data);
    this.size += data.length;
    return this;
  }

  /** The digests of every byte added; call once, at the end (the hashes are finished by it). */
  digests(): StreamDigests {
    return {
      sha256: this.sha256.digest('hex'),
      md5: this.md5?.digest('hex'),
      crc32: this.crc32 === undefined ? undefined : hex32(this.crc32),
      crc64nvme: this.crc64 && crc64nvmeHex(this.crc64.register),
      size: this.size,
    };
  }
}
