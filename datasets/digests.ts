/**
 * The digests of a body, computed in one pass as its bytes go by: SHA-256 (what datasets record)
 * always; MD5, CRC32, CRC32C, SHA-1 and CRC-64/NVME when asked for; per-part digests when asked
 * for (a multipart ETag or composite checksum is a digest of its parts' digests); and the size.
 * The same Digester runs on the main thread (hashing-stream.ts) and on the blob-writing threads
 * (blob-thread-entry.ts).
 */
import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { hex32 } from '../s3/checksums';
import { crc32cTables, crc32cUpdate } from './crc32c';
import { crc64nvmeHex, crc64nvmeStart, crc64nvmeTables, crc64nvmeUpdate } from './crc64nvme';

/** What a multipart object's parts are digested with: MD5 for its ETag, or its composite checksum's algorithm. */
export type PartAlgorithm = 'md5' | 'crc32' | 'crc32c' | 'sha1' | 'sha256';

/** Per-part digests to compute: the algorithm and where the parts end. */
export interface PartChoice {
  algorithm: PartAlgorithm;
  /**
   * The parts' sizes in order, the last one repeating: `[P]` is parts of P bytes each, the last
   * holding the rest (how uploaders cut objects); `[a, b, c]` is exactly those three.
   */
  sizes: number[];
}

/** The digest of a body's parts' digests, as S3 combines them. */
export interface PartDigests {
  algorithm: PartAlgorithm;
  /** How many parts the body had by the sizes given. */
  count: number;
  /**
   * The digest (hex) of the parts' digests concatenated, raw (CRCs as 4 big-endian bytes): a
   * multipart ETag's hex part (MD5), or a composite checksum's digest before its `-<parts>`.
   */
  digest: string;
}

/** Digests of a body, hex, once all of it has been seen. */
export interface StreamDigests {
  sha256: string;
  /** MD5, when asked for (to compare with a single-part ETag). */
  md5?: string;
  /** CRC32 (zlib's, as S3's x-amz-checksum-crc32), when asked for. */
  crc32?: string;
  /** CRC32C (S3's x-amz-checksum-crc32c), when asked for. */
  crc32c?: string;
  /** SHA-1 (S3's x-amz-checksum-sha1), when asked for. */
  sha1?: string;
  /** CRC-64/NVME (S3's x-amz-checksum-crc64nvme), when asked for. */
  crc64nvme?: string;
  /** The parts' digests combined, when asked for. */
  parts?: PartDigests;
  size: number;
}

/** Checksums computed besides SHA-256, each only when a stored one is to be compared with it. */
export interface DigestChoice {
  /** CRC32, to compare with a stored x-amz-checksum-crc32 (about 8× cheaper than MD5). */
  crc32?: boolean;
  /** CRC32C, to compare with a stored x-amz-checksum-crc32c (JavaScript, crc32c.ts). */
  crc32c?: boolean;
  /** SHA-1, to compare with a stored x-amz-checksum-sha1. */
  sha1?: boolean;
  /** CRC-64/NVME, to compare with a stored x-amz-checksum-crc64nvme (about 2× MD5's cost). */
  crc64nvme?: boolean;
  /** Per-part digests, to compare with a multipart ETag or a composite checksum. */
  parts?: PartChoice;
}

/** Which digests a Digester computes besides SHA-256, every one spelled out. */
export interface DigestFlags {
  md5: boolean;
  crc32: boolean;
  crc32c: boolean;
  sha1: boolean;
  crc64nvme: boolean;
  parts: PartChoice | undefined;
}

/** The flags of `choice` (MD5 is the caller's own flag: some default it on, some off). */
export function flagsOf(md5: boolean, choice: DigestChoice): DigestFlags {
  return { md5, crc32: choice.crc32 ?? false, crc32c: choice.crc32c ?? false, sha1: choice.sha1 ?? false, crc64nvme: choice.crc64nvme ?? false,
    parts: choice.parts };
}

/** CRC-64/NVME's and CRC32C's tables, built on first use, once per thread (each thread has its own modules). */
let crc64Tables: Uint32Array[] | undefined;
let crc32cTablesOnce: Uint32Array[] | undefined;
const crc32cTablesHere = () => (crc32cTablesOnce ??= crc32cTables());

/** A running digest of one algorithm, giving its raw bytes at the end. */
interface Running {
  update(data: Uint8Array): void;
  finish(): Buffer;
}

/** A 32-bit CRC's raw bytes, big-endian, as S3 concatenates part CRCs. */
function crcBytes(crc: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc >>> 0);
  return out;
}

function running(algorithm: PartAlgorithm): Running {
  if (algorithm === 'crc32') {
    let crc = 0;
    return { update: (data) => { crc = crc32(data, crc); }, finish: () => crcBytes(crc) };
  }
  if (algorithm === 'crc32c') {
    const tables = crc32cTablesHere();
    let crc = 0;
    return { update: (data) => { crc = crc32cUpdate(tables, crc, data); }, finish: () => crcBytes(crc) };
  }
  const hash = createHash(algorithm);
  return { update: (data) => { hash.update(data); }, finish: () => hash.digest() };
}

/**
 * Digests each part of a body as its bytes go by and feeds the part's digest, raw, into the
 * digest of digests. A chunk is split only where a part ends.
 */
class PartDigester {
  private readonly outer: Running;
  private part: Running;
  /** Bytes until the current part ends (Infinity: it ends with the body). */
  private left: number;
  private partBytes = 0;
  private count = 0;

  constructor(private readonly choice: PartChoice) {
    this.outer = running(choice.algorithm);
    this.part = running(choice.algorithm);
    this.left = this.sizeOf(0);
  }

  update(data: Uint8Array): void {
    let at = 0;
    while (data.length - at >= this.left) {
      this.part.update(data.subarray(at, at + this.left));
      at += this.left;
      this.endPart();
    }
    if (at === data.length) return;
    const rest = at === 0 ? data : data.subarray(at);
    this.part.update(rest);
    this.left -= rest.length;
    this.partBytes += rest.length;
  }

  digests(): PartDigests {
    // The last part (or the only one of an empty body); a body ending on a boundary has none open.
    if (this.partBytes > 0 || this.count === 0) this.endPart();
    return { algorithm: this.choice.algorithm, count: this.count, digest: this.outer.finish().toString('hex') };
  }

  private sizeOf(index: number): number {
    const size = this.choice.sizes[Math.min(index, this.choice.sizes.length - 1)] ?? 0;
    return size > 0 ? size : Infinity;
  }

  private endPart(): void {
    this.outer.update(this.part.finish());
    this.count++;
    this.part = running(this.choice.algorithm);
    this.left = this.sizeOf(this.count);
    this.partBytes = 0;
  }
}

/** Feed it the bytes in order with update(), then read digests(). */
export class Digester {
  private readonly sha256 = createHash('sha256');
  private readonly md5: Hash | undefined;
  private readonly sha1: Hash | undefined;
  private crc32: number | undefined;
  private crc32c: { tables: Uint32Array[]; crc: number } | undefined;
  private readonly crc64: { tables: Uint32Array[]; register: Uint32Array } | undefined;
  private readonly parts: PartDigester | undefined;
  private size = 0;

  constructor(flags: DigestFlags) {
    this.md5 = flags.md5 ? createHash('md5') : undefined;
    this.sha1 = flags.sha1 ? createHash('sha1') : undefined;
    this.crc32 = flags.crc32 ? 0 : undefined;
    this.crc32c = flags.crc32c ? { tables: crc32cTablesHere(), crc: 0 } : undefined;
    this.crc64 = flags.crc64nvme ? { tables: (crc64Tables ??= crc64nvmeTables()), register: crc64nvmeStart() } : undefined;
    this.parts = flags.parts ? new PartDigester(flags.parts) : undefined;
  }

  /** Adds the next bytes. */
  update(data: Uint8Array): this {
    this.sha256.update(data);
    this.md5?.update(data);
    this.sha1?.update(data);
    if (this.crc32 !== undefined) this.crc32 = crc32(data, this.crc32);
    if (this.crc32c) this.crc32c.crc = crc32cUpdate(this.crc32c.tables, this.crc32c.crc, data);
    if (this.crc64) crc64nvmeUpdate(this.crc64.tables, this.crc64.register, data);
    this.parts?.update(data);
    this.size += data.length;
    return this;
  }

  /** The digests of every byte added; call once, at the end (the hashes are finished by it). */
  digests(): StreamDigests {
    return {
      sha256: this.sha256.digest('hex'),
      md5: this.md5?.digest('hex'),
      crc32: this.crc32 === undefined ? undefined : hex32(this.crc32),
      crc32c: this.crc32c && hex32(this.crc32c.crc),
      sha1: this.sha1?.digest('hex'),
      crc64nvme: this.crc64 && crc64nvmeHex(this.crc64.register),
      parts: this.parts?.digests(),
      size: this.size,
    };
  }
}
