import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { kmsError } from '../../crypto/data-key';
import { openObject } from '../../crypto/decrypt-object';
import { parseEnvelope } from '../../crypto/envelope';
import { TagMismatchError } from '../../crypto/gcm-decrypt';
import type { SourceClient } from '../../s3/client';
import type { SourceKms } from '../../s3/kms-client';
import { S3OperationError } from '../../s3/errors';
import { sealCommitting, sealV2 } from '../harness/spec-envelopes';

const DATA_KEY = randomBytes(32);
const WRAPPED = Buffer.from('wrapped-by-stub-kms');
const CONTEXT = { 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding', team: 'a' };

/** A client whose KMS "unwraps" WRAPPED to DATA_KEY only under the context it was given (as KMS does). */
function clientWith(context: Record<string, string>, options: { allowPlaintext?: boolean } = {}): SourceClient {
  const send = async (command: { input: { CiphertextBlob: Uint8Array; EncryptionContext: Record<string, string> } }) => {
    const { CiphertextBlob, EncryptionContext } = command.input;
    if (!Buffer.from(CiphertextBlob).equals(WRAPPED) || JSON.stringify(Object.entries(EncryptionContext).sort()) !== JSON.stringify(Object.entries(context).sort())) {
      throw Object.assign(new Error('invalid'), { name: 'InvalidCiphertextException', $metadata: { httpStatusCode: 400 } });
    }
    return { Plaintext: new Uint8Array(DATA_KEY) };
  };
  return {
    name: 'enc', bucket: 'b', prefix: '', config: { clientKms: { keyId: 'alias/k', allowLegacy: false, allowPlaintext: options.allowPlaintext ?? false } },
    kms: { kms: { send }, keyId: 'alias/k', field: 'sources.enc.clientKms' },
    read: async () => { throw new S3OperationError('gone', 'NoSuchKey', 'no instruction file'); },
  } as unknown as SourceClient;
}

const headersOf = (metadata: Record<string, string>) => Object.fromEntries(Object.entries(metadata).map(([k, v]) => [`x-amz-meta-${k}`, v]));

/** Decrypts `body` fed in chunks of `chunk` bytes. */
async function decrypt(client: SourceClient, body: Buffer, metadata: Record<string, string>, chunk = 1000): Promise<Buffer> {
  const opened = await openObject(client, 'k', headersOf(metadata));
  if (!('decryptor' in opened)) throw new Error('not encrypted');
  const pieces: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => pieces.push(c));
  const chunks = Array.from({ length: Math.ceil(body.length / chunk) }, (_, i) => body.subarray(i * chunk, (i + 1) * chunk));
  await pipeline(Readable.from(chunks), opened.decryptor, sink);
  return Buffer.concat(pieces);
}

describe('client-side decryption (S3 Encryption Client formats)', () => {
  const plaintext = randomBytes(100_003);

  it.each([1, 7, 16, 17, 65536])('decrypts a v2 object fed in chunks of %i bytes', async (chunk) => {
    const sealed = sealV2(plaintext, DATA_KEY, WRAPPED, CONTEXT);
    expect((await decrypt(clientWith(CONTEXT), sealed.body, sealed.metadata, chunk)).equals(plaintext)).toBe(true);
  });

  it('decrypts a key-committing object and an empty one', async () => {
    const context = { 'aws:x-amz-cek-alg': '115' };
    const sealed = sealCommitting(plaintext, DATA_KEY, WRAPPED, context);
    expect((await decrypt(clientWith(context), sealed.body, sealed.metadata)).equals(plaintext)).toBe(true);
    const empty = sealCommitting(Buffer.alloc(0), DATA_KEY, WRAPPED, context);
    expect(empty.body.length).toBe(16);
    expect((await decrypt(clientWith(context), empty.body, empty.metadata)).length).toBe(0);
  });

  it('parses the key description as JSON, so whitespace and key order do not matter', () => {
    const sealed = sealV2(plaintext, DATA_KEY, WRAPPED, CONTEXT);
    const spaced = { ...sealed.metadata, 'x-amz-matdesc': '{ "team" : "a",\n "aws:x-amz-cek-alg" : "AES/GCM/NoPadding" }' };
    expect(parseEnvelope(spaced)).toEqual(expect.objectContaining({ format: 'v2', context: { team: 'a', 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding' } }));
  });

  it('fails a tampered byte at the end of the body with a tag mismatch naming no key material', async () => {
    const sealed = sealV2(plaintext, DATA_KEY, WRAPPED, CONTEXT);
    const tampered = Buffer.from(sealed.body);
    tampered[500] = tampered[500]! ^ 1;
    const failure = await decrypt(clientWith(CONTEXT), tampered, sealed.metadata).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(TagMismatchError);
    expect((failure as Error).message).not.toContain(DATA_KEY.toString('base64'));
  });

  it('refuses a changed encryption context by KMS, naming the key and the likely causes', async () => {
    const sealed = sealV2(plaintext, DATA_KEY, WRAPPED, CONTEXT);
    const changed = { ...sealed.metadata, 'x-amz-matdesc': JSON.stringify({ ...CONTEXT, team: 'b' }) };
    await expect(openObject(clientWith(CONTEXT), 'k', headersOf(changed))).rejects.toThrow(/unwrap the object's data key with key alias\/k.*encryption context was changed/);
  });

  it('refuses a key commitment that does not match before decrypting a byte', async () => {
    const context = { 'aws:x-amz-cek-alg': '115' };
    const sealed = sealCommitting(plaintext, DATA_KEY, WRAPPED, context);
    const other = sealCommitting(plaintext, DATA_KEY, WRAPPED, context);
    const swapped = { ...sealed.metadata, 'x-amz-d': other.metadata['x-amz-d']! };
    await expect(openObject(clientWith(context), 'k', headersOf(swapped))).rejects.toThrow(/key commitment \(x-amz-d\) does not match/);
  });

  it('refuses legacy formats by name and unencrypted objects unless allowPlaintext', async () => {
    const sealed = sealV2(plaintext, DATA_KEY, WRAPPED, CONTEXT);
    await expect(openObject(clientWith(CONTEXT), 'k', headersOf({ ...sealed.metadata, 'x-amz-cek-alg': 'AES/CBC/PKCS5Padding' }))).rejects.toThrow(/AES\/CBC\/PKCS5Padding is a legacy format/);
    await expect(openObject(clientWith(CONTEXT), 'k', headersOf({ ...sealed.metadata, 'x-amz-wrap-alg': 'kms' }))).rejects.toThrow(/x-amz-wrap-alg kms .* legacy format/);
    await expect(openObject(clientWith(CONTEXT), 'k', headersOf({ 'x-amz-key': 'abc', 'x-amz-iv': 'abc' }))).rejects.toThrow(/V1 envelope/);
    await expect(openObject(clientWith(CONTEXT), 'k', {})).rejects.toThrow(/carries no S3 Encryption Client envelope.*allowPlaintext: true/);
    await expect(openObject(clientWith(CONTEXT, { allowPlaintext: true }), 'k', {})).resolves.toEqual({ plaintext: true });
  });
});

describe('KMS failures', () => {
  const kms = { kms: {}, keyId: 'alias/exports', field: 'sources.out.clientKms' } as unknown as SourceKms;
  const denied = Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });

  it('name the permission and the key when KMS denies the call, and are not retried', () => {
    const reading = kmsError(denied, 'Decrypt', kms, 's3://b/k');
    expect(reading).toMatchObject({ kind: 'permanent', code: 'AccessDeniedException' });
    expect(reading.message).toBe("s3://b/k: kms:Decrypt on key alias/exports was denied. Fix: grant the source's identity kms:Decrypt on alias/exports (its key policy or an IAM policy), or set sources.out.clientKms.keyId to a key it may use.");
    expect(kmsError(denied, 'GenerateDataKey', kms, 'export of a.csv').message).toMatch(/^export of a\.csv: kms:GenerateDataKey on key alias\/exports was denied/);
  });

  it('leave throttling and server errors to the retries', () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    expect(kmsError(throttled, 'Decrypt', kms, 'x')).toMatchObject({ kind: 'transient' });
    expect(kmsError(Object.assign(new Error('boom'), { name: 'KMSInternalException', $metadata: { httpStatusCode: 500 } }), 'Decrypt', kms, 'x')).toMatchObject({ kind: 'transient' });
  });
});
