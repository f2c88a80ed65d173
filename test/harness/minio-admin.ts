/**
 * Test-side administration of the real MinIO: buckets, users and policies (through mc), and
 * bulk object upload.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { toolPath } from '../../devservers/process';
import { testEnv } from './test-env';

/** An S3 client with MinIO's root credentials, for arranging fixtures (SDK defaults: CRC32 checksums on PUT). */
export function adminS3(options: Partial<S3ClientConfig> = {}): S3Client {
  const { minio } = testEnv();
  return new S3Client({
    endpoint: minio.endpoint, region: 'us-east-1', forcePathStyle: true,
    credentials: { accessKeyId: minio.rootUser, secretAccessKey: minio.rootPassword },
    ...options,
  });
}

/** Runs mc against the test MinIO and returns stdout. */
export function mc(...args: string[]): string {
  const { minio } = testEnv();
  return execFileSync(toolPath('mc'), ['--config-dir', minio.mcConfigDir, ...args], { encoding: 'utf8' });
}

/** Creates a bucket with a unique name derived from `hint`. */
export async function createBucket(hint: string): Promise<string> {
  const name = `${hint}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`.toLowerCase().slice(0, 63);
  await adminS3().send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

/** Creates a MinIO user whose only permissions are `statements`; returns its keys. */
export function createUser(name: string, statements: object[]): { accessKeyId: string; secretAccessKey: string } {
  const { minio } = testEnv();
  const secretAccessKey = `${name}-secret-${Math.random().toString(36).slice(2)}`;
  mc('admin', 'user', 'add', minio.mcAlias, name, secretAccessKey);
  const dir = mkdtempSync(join(tmpdir(), 'policy-'));
  const file = join(dir, 'policy.json');
  writeFileSync(file, JSON.stringify({ Version: '2012-10-17', Statement: statements }));
  mc('admin', 'policy', 'create', minio.mcAlias, `${name}-policy`, file);
  mc('admin', 'policy', 'attach', minio.mcAlias, `${name}-policy`, '--user', name);
  return { accessKeyId: name, secretAccessKey };
}

/** Puts many objects with bounded concurrency. */
export async function putObjects(bucket: string, objects: Array<{ key: string; body: string | Uint8Array }>, concurrency = 32): Promise<void> {
  const s3 = adminS3();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < objects.length) {
      const o = objects[next++]!;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: o.key, Body: o.body }));
    }
  }));
}
