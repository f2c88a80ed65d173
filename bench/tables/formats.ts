/**
 * The tables benchmark's tables, one per format, each written by its reference writer into the
 * bench's MinIO with the same rows (make_table.py's generator, seeded 17): Delta by deltalake
 * (written to a local folder, then uploaded), Iceberg by pyiceberg (a SqlCatalog on sqlite whose
 * warehouse is the MinIO bucket, written in place: its metadata holds absolute s3:// paths).
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { succeed } from './process';

/** The table formats the benchmark compares, in the order they run. */
export const FORMATS = ['delta', 'iceberg'] as const;
/** One of FORMATS. */
export type TableFormat = (typeof FORMATS)[number];

/** What a maker needs: the bucket on MinIO (written directly, not through the counting proxy). */
export interface MakeContext {
  s3: S3Client;
  bucket: string;
  minio: { endpoint: string; rootUser: string; rootPassword: string };
  workDir: string;
  python: string;
  rows: number;
  commits: number;
}

/** A table written and ready to read. */
export interface BenchTable {
  format: TableFormat;
  /** Its virtualTables: name. */
  name: string;
  /** Its folder's key prefix in the bucket (`lake/x/`). */
  prefix: string;
  /** How it is laid out, for the report. */
  layout: string;
  /** What DuckDB's scan function is given: the folder (delta_scan) or the metadata file (iceberg_scan). */
  duckdbUrl: string;
}

/** Every file below `dir`. */
function filesBelow(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(path);
    }
  };
  walk(dir);
  return out;
}

async function makeDelta(ctx: MakeContext): Promise<BenchTable> {
  const tableDir = join(ctx.workDir, 'delta');
  await succeed('make_table.py', ctx.python, [join(__dirname, 'make_table.py'), tableDir, String(ctx.rows), String(ctx.commits)]);
  const prefix = 'lake/sales/';
  const limit = pLimit(16);
  const local = join(tableDir, 'sales');
  await Promise.all(filesBelow(local).map((f) => limit(() => ctx.s3.send(new PutObjectCommand({
    Bucket: ctx.bucket, Key: `${prefix}${relative(local, f).split(sep).join('/')}`, Body: readFileSync(f),
  })))));
  return {
    format: 'delta', name: 'sales', prefix, duckdbUrl: `s3://${ctx.bucket}/${prefix.slice(0, -1)}`,
    layout: `a Delta table written by deltalake, partitioned by region and month (hive folders), per-file statistics in the log, Parquet snappy`,
  };
}

async function makeIceberg(ctx: MakeContext): Promise<BenchTable> {
  const dir = join(ctx.workDir, 'iceberg');
  mkdirSync(dir, { recursive: true });
  const prefix = 'lake/sales_iceberg/';
  const made = await succeed('make_iceberg_table.py', ctx.python, [
    join(__dirname, 'make_iceberg_table.py'), join(dir, 'catalog.db'), `s3://${ctx.bucket}/warehouse`, `s3://${ctx.bucket}/${prefix.slice(0, -1)}`, String(ctx.rows), String(ctx.commits),
  ], { ...process.env, S3_ENDPOINT: ctx.minio.endpoint, AWS_ACCESS_KEY_ID: ctx.minio.rootUser, AWS_SECRET_ACCESS_KEY: ctx.minio.rootPassword });
  const { metadata } = JSON.parse(made.stdout.trim().split('\n').at(-1)!) as { metadata: string };
  return {
    format: 'iceberg', name: 'sales_iceberg', prefix, duckdbUrl: metadata,
    layout: `an Iceberg table (format version 2) written by pyiceberg 0.12.0 through a SqlCatalog, partitioned by identity(region) and month(at), column bounds in the manifests (Avro, deflate), Parquet zstd`,
  };
}

/** Writes the table of `format` into the bucket. */
export function makeTable(format: TableFormat, ctx: MakeContext): Promise<BenchTable> {
  return format === 'delta' ? makeDelta(ctx) : makeIceberg(ctx);
}

/** The table's data files (Parquet outside the Delta log) and their bytes, as stored in the bucket. */
export async function dataFiles(s3: S3Client, bucket: string, table: BenchTable): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: table.prefix })) {
    for (const o of page.Contents ?? []) {
      if (!o.Key!.endsWith('.parquet') || o.Key!.includes('/_delta_log/')) continue;
      files++;
      bytes += o.Size ?? 0;
    }
  }
  return { files, bytes };
}
