/**
 * `check SOURCE`: probes the permissions a source needs, without writing any object.
 * - s3:ListBucket: ListObjectsV2 of one key below the source's prefix.
 * - s3:GetObject: HeadObject of a listed object, or of a key that does not exist (a 404 then
 *   proves the read permission; a 403 does not distinguish, so it reports missing).
 * - s3:PutObject (only when exports are enabled): CreateMultipartUpload then AbortMultipartUpload,
 *   which needs the same permission as PutObject but leaves nothing behind.
 * - kms:GenerateDataKey and kms:Decrypt (only with clientKms): a data key made and unwrapped.
 */
import { randomUUID } from 'node:crypto';
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { grantingStatement, type S3Permission } from '../shared/permissions';
import { classifyS3Error, isUnreachable } from '../s3/errors';
import { joinKey } from '../s3/keys';
import { listPage } from '../s3/list';
import type { SourceClient } from '../s3/client';
import { probeKms, type KmsProbe } from '../crypto/kms-probe';

/** The outcome of one probe. */
export interface PermissionProbe {
  permission: S3Permission | KmsProbe['permission'];
  status: 'ok' | 'missing' | 'error';
  /** Why it is missing or failed; with the granting IAM statement as the fix. */
  detail?: string;
  fix?: string;
}

/** The result of `check`: one probe per permission, and how the client connects. */
export interface CheckResult {
  source: string;
  bucket: string;
  prefix: string;
  viaProxy: boolean;
  probes: PermissionProbe[];
  /** Set when the endpoint could not be reached at all: the probes then say nothing about permissions. */
  unreachable?: { endpoint: string; detail: string; fix: string };
  /**
   * Set when the store rejected the credentials themselves (a wrong secret or key id): nothing
   * else is probed, as a HEAD's bare 403 would then read as a missing permission.
   */
  rejectedCredentials?: { code: string; fix: string };
}

async function probe(permission: S3Permission, client: SourceClient, operation: string, run: () => Promise<unknown>): Promise<PermissionProbe & { code?: string }> {
  try {
    await run();
    return { permission, status: 'ok' };
  } catch (err) {
    const classified = classifyS3Error(err, operation, client.bucket, `${operation} s3://${client.bucket}/${client.prefix}`);
    if (classified.code === 'NoSuchBucket') return { permission, status: 'error', detail: classified.message, code: classified.code };
    if (classified.code === 'AccessDenied') {
      return { permission, status: 'missing', detail: `${operation} was denied`, fix: grantingStatement(permission, client.bucket) };
    }
    if (permission === 's3:GetObject' && classified.kind === 'gone') return { permission, status: 'ok' };
    return { permission, status: 'error', detail: classified.message, code: classified.code };
  }
}

/** A probe as reported: its error code is the checker's own business. */
function withoutCode({ code: _code, ...probe }: PermissionProbe & { code?: string }): PermissionProbe {
  return probe;
}

/** Probes ListBucket, GetObject and (if exports are enabled) PutObject on a source. */
export async function checkPermissions(client: SourceClient): Promise<CheckResult> {
  let sampleKey: string | undefined;
  const probes: PermissionProbe[] = [];
  const listing = await probe('s3:ListBucket', client, 'ListObjectsV2', async () => {
    const page = await listPage(client, { prefix: client.prefix, pageSize: 5 });
    sampleKey = page.objects.find((o) => !o.key.endsWith('/'))?.key;
  });
  const { code, ...listProbe } = listing;
  probes.push(listProbe);
  // No bucket, nothing to probe: a HEAD of a missing key in it would read as "ok" (404).
  if (code === 'NoSuchBucket') return { source: client.name, bucket: client.bucket, prefix: client.prefix, viaProxy: client.http.viaProxy, probes };
  if (isUnreachable(code)) {
    const via = client.http.viaProxy ? ' through its proxy' : '';
    return {
      source: client.name, bucket: client.bucket, prefix: client.prefix, viaProxy: client.http.viaProxy, probes,
      unreachable: {
        endpoint: client.config.endpoint, detail: listProbe.detail ?? code ?? 'no reply',
        fix: `check sources.${client.name}.endpoint, that the server is up and listening there${via}, and the network or proxy settings (sources.${client.name}.proxy)`,
      },
    };
  }
  if (code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch' || code === 'InvalidClientTokenId') {
    return {
      source: client.name, bucket: client.bucket, prefix: client.prefix, viaProxy: client.http.viaProxy, probes,
      rejectedCredentials: { code, fix: `check the access key id and secret that sources.${client.name}.credentials names (and the region): the store does not accept them` },
    };
  }
  const readKey = sampleKey ?? joinKey(client.prefix, `.s3-connector-probe-${randomUUID()}`);
  probes.push(withoutCode(await probe('s3:GetObject', client, 'HeadObject', () =>
    client.s3.send(new HeadObjectCommand({ Bucket: client.bucket, Key: readKey })))));
  if (client.config.exports.enabled) {
    const writeKey = joinKey(client.prefix, `.s3-connector-probe-${randomUUID()}`);
    let uploadId: string | undefined;
    probes.push(withoutCode(await probe('s3:PutObject', client, 'CreateMultipartUpload', async () => {
      uploadId = (await client.s3.send(new CreateMultipartUploadCommand({ Bucket: client.bucket, Key: writeKey }))).UploadId;
    })));
    if (uploadId) {
      // Abort at once so the probe leaves no incomplete upload (and no storage charge) behind.
      probes.push(withoutCode(await probe('s3:AbortMultipartUpload', client, 'AbortMultipartUpload', () =>
        client.s3.send(new AbortMultipartUploadCommand({ Bucket: client.bucket, Key: writeKey, UploadId: uploadId })))));
    }
  }
  // clientKms: the key's use, as reads (kms:Decrypt) and exports (kms:GenerateDataKey) need it.
  if (client.kms) probes.push(...await probeKms(client.kms));
  return { source: client.name, bucket: client.bucket, prefix: client.prefix, viaProxy: client.http.viaProxy, probes };
}
