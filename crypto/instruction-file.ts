/**
 * Instruction files: an S3 Encryption Client may keep an object's envelope in a plaintext JSON
 * object beside it, `<key>.instruction`, instead of its metadata (its keys then carry no
 * `x-amz-meta-` prefix). In the committing format the content cipher, commitment and message id
 * stay in the object's metadata (s3-encryption/data-format/metadata-strategy.md).
 */
import type { SourceClient } from '../s3/client';
import { S3OperationError } from '../s3/errors';
import type { CryptoMetadata } from './envelope';

/** The suffix the clients give instruction files by default. */
export const INSTRUCTION_SUFFIX = '.instruction';

/** An instruction file is a few hundred bytes: anything past this is not one. */
const MAX_INSTRUCTION_BYTES = 64 * 1024;

/** The user metadata in `headers` (x-amz-meta-*), without the prefix. */
export function userMetadata(headers: Record<string, string | string[] | undefined>): CryptoMetadata {
  const out: CryptoMetadata = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase().startsWith('x-amz-meta-') && value !== undefined) out[name.slice('x-amz-meta-'.length).toLowerCase()] = Array.isArray(value) ? value[0] : value;
  }
  return out;
}

/**
 * The metadata of `key`'s instruction file, merged under the object's own metadata; undefined
 * when there is no instruction file (the object is then unencrypted).
 */
export async function readInstructionFile(client: SourceClient, key: string, objectMetadata: CryptoMetadata, signal?: AbortSignal): Promise<CryptoMetadata | undefined> {
  const name = `${key}${INSTRUCTION_SUFFIX}`;
  let reply;
  try {
    reply = await client.read(name, { signal });
  } catch (err) {
    if (err instanceof S3OperationError && err.kind === 'gone') return undefined;
    throw err;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of reply.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_INSTRUCTION_BYTES) {
      reply.body.destroy();
      throw new S3OperationError('permanent', 'BadInstructionFile', `s3://${client.bucket}/${name}: is larger than ${MAX_INSTRUCTION_BYTES} bytes, so no instruction file of the S3 Encryption Client. Fix: remove or rename it.`);
    }
    chunks.push(chunk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new S3OperationError('permanent', 'BadInstructionFile', `s3://${client.bucket}/${name}: is not a JSON object, so no instruction file of the S3 Encryption Client. Fix: remove or rename it.`);
  }
  const merged: CryptoMetadata = {};
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') merged[k.toLowerCase()] = v;
  // The object's own metadata wins (x-amz-c, x-amz-d and x-amz-i live only there).
  return { ...merged, ...objectMetadata };
}
