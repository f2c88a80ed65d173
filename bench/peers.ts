/**
 * The peer tools' command lines (s5cmd, rclone, aws-cli), configured alike: the same
 * concurrency, the same multipart threshold and part size as s3-connector's export defaults
 * (64 MiB), quiet output. Each peer's config lives in files under the benchmark's work folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Target } from './generate';
import type { Tool } from './options';

/** A peer's command for one operation. */
export interface PeerCommand {
  command: string;
  args: string[];
  /** Added to the environment; undefined removes a variable. */
  env: Record<string, string | undefined>;
}

/**
 * Removed from every peer's environment: an AWS_CA_BUNDLE (set on some build machines) makes
 * rclone fail ("unable to load custom CA bundle"), and the loopback endpoint is plain HTTP.
 */
const CLEAN_ENV = { AWS_CA_BUNDLE: undefined };

/** Multipart threshold and part size for every tool (s3-connector's export default). */
export const PART_MIB = 64;

/** The integrity work each tool does by default: from their docs and sources, and their requests as seen through a recording proxy (see bench/README.md). */
export const INTEGRITY: Record<Tool, { import: string; export: string }> = {
  's3-connector': {
    import: 'SHA-256 of every byte (its content address), compared with the cheapest check the source offers: a full-object SHA-256 or CRC32 checksum (as here: CRC32 of every byte), else MD5 of every byte against a single-part ETag, else a full-object CRC-64/NVME checksum; size; GETs pinned to the listed ETag (If-Match)',
    export: 'the dataset\'s recorded SHA-256 sent as the signed payload hash and as x-amz-checksum-sha256, so the server verifies every byte; files up to 1 MiB also re-hashed before sending; multipart: the SHA-256 of each part signed as its payload hash and sent as x-amz-checksum-sha256 (no MD5 unless the store returns no checksum), whole file hashed against the record, composite SHA-256 compared after upload',
  },
  s5cmd: {
    import: 'none: plain (ranged) GETs, no checksum compared (v2.3.0; aws-sdk-go v1 leaves GetObject MD5 validation off)',
    export: 'Content-MD5 and the signed payload SHA-256 of every PUT and part (both checked by the server)',
  },
  rclone: {
    import: 'MD5 of every byte compared with the ETag of single-part objects (its post-copy hash check); size',
    export: 'Content-MD5 of every PUT and part (checked by the server); multipart: whole-file MD5 first (X-Amz-Meta-Md5chksum) and signed part SHA-256; MD5 compared after upload',
  },
  'aws-cli': {
    import: 'asks for stored checksums (x-amz-checksum-mode) and verifies a non-MD5 one when present (as here: CRC32 of every byte); size',
    export: 'CRC32 (x-amz-checksum-crc32) and the signed payload SHA-256 of every PUT and part (both checked by the server)',
  },
};

/** The peers' commands against one MinIO. */
export class Peers {
  private readonly rcloneConf: string;
  private readonly awsConfig: string;
  private readonly awsCredentials: string;

  /** Writes the config files of rclone and aws-cli into `dir`; `bin` holds the tools. */
  constructor(private readonly target: S3Target, private readonly concurrency: number, dir: string, private readonly bin: string) {
    mkdirSync(dir, { recursive: true });
    this.rcloneConf = join(dir, 'rclone.conf');
    writeFileSync(this.rcloneConf, [
      '[bench]', 'type = s3', 'provider = Minio', 'env_auth = false', `access_key_id = ${target.accessKeyId}`,
      `secret_access_key = ${target.secretAccessKey}`, `endpoint = ${target.endpoint}`, 'region = us-east-1', '',
    ].join('\n'));
    this.awsConfig = join(dir, 'aws-config');
    writeFileSync(this.awsConfig, [
      '[default]', 'region = us-east-1', 's3 =', `  max_concurrent_requests = ${concurrency}`,
      `  multipart_threshold = ${PART_MIB}MB`, `  multipart_chunksize = ${PART_MIB}MB`, '',
    ].join('\n'));
    this.awsCredentials = join(dir, 'aws-credentials');
    writeFileSync(this.awsCredentials, ['[default]', `aws_access_key_id = ${target.accessKeyId}`, `aws_secret_access_key = ${target.secretAccessKey}`, ''].join('\n'));
  }

  /** s5cmd with `--log error` (no line per object) unless `listing` (ls prints its keys at the info level). */
  private s5cmd(args: string[], listing = false): PeerCommand {
    return {
      command: join(this.bin, 's5cmd'),
      args: ['--endpoint-url', this.target.endpoint, '--numworkers', String(this.concurrency), ...(listing ? [] : ['--log', 'error']), ...args],
      env: { ...CLEAN_ENV, AWS_ACCESS_KEY_ID: this.target.accessKeyId, AWS_SECRET_ACCESS_KEY: this.target.secretAccessKey, AWS_REGION: 'us-east-1' },
    };
  }

  private rclone(args: string[]): PeerCommand {
    return {
      command: join(this.bin, 'rclone'),
      args: ['--config', this.rcloneConf, ...args, '--transfers', String(this.concurrency), '--checkers', String(this.concurrency),
        '--s3-upload-cutoff', `${PART_MIB}Mi`, '--s3-chunk-size', `${PART_MIB}Mi`],
      env: { ...CLEAN_ENV },
    };
  }

  private aws(args: string[]): PeerCommand {
    return {
      command: join(this.bin, 'aws'),
      args: ['--endpoint-url', this.target.endpoint, ...args, '--only-show-errors'],
      env: { ...CLEAN_ENV, AWS_CONFIG_FILE: this.awsConfig, AWS_SHARED_CREDENTIALS_FILE: this.awsCredentials },
    };
  }

  /** Downloads every object below s3://bucket/prefix into `dir` (bucket -> local). */
  download(tool: Exclude<Tool, 's3-connector'>, bucket: string, prefix: string, dir: string): PeerCommand {
    switch (tool) {
      case 's5cmd': return this.s5cmd(['cp', '--part-size', String(PART_MIB), `s3://${bucket}/${prefix}*`, `${dir}/`]);
      case 'rclone': return this.rclone(['copy', `bench:${bucket}/${prefix}`, dir]);
      case 'aws-cli': return this.aws(['s3', 'cp', '--recursive', `s3://${bucket}/${prefix}`, `${dir}/`]);
    }
  }

  /** Uploads every file of `dir` to s3://bucket/prefix (local -> bucket). */
  upload(tool: Exclude<Tool, 's3-connector'>, dir: string, bucket: string, prefix: string): PeerCommand {
    switch (tool) {
      case 's5cmd': return this.s5cmd(['cp', '--part-size', String(PART_MIB), `${dir}/*`, `s3://${bucket}/${prefix}`]);
      case 'rclone': return this.rclone(['copy', dir, `bench:${bucket}/${prefix}`]);
      case 'aws-cli': return this.aws(['s3', 'cp', '--recursive', `${dir}/`, `s3://${bucket}/${prefix}`]);
    }
  }

  /** Lists every key below s3://bucket/prefix, one line each on stdout. */
  list(bucket: string, prefix: string): PeerCommand {
    return this.s5cmd(['ls', `s3://${bucket}/${prefix}*`], true);
  }

  /** Deletes every object below s3://bucket/prefix (cleanup between runs; not measured). */
  remove(bucket: string, prefix: string): PeerCommand {
    return this.s5cmd(['rm', `s3://${bucket}/${prefix}*`]);
  }
}
