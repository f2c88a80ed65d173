import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CbcDecryptionError } from '../../crypto/cbc-decrypt';
import { openObject } from '../../crypto/decrypt-object';
import { parseEnvelope } from '../../crypto/envelope';
import { TagMismatchError } from '../../crypto/gcm-decrypt';
import type { SourceClient } from '../../s3/client';
import { S3OperationError } from '../../s3/errors';
import { S3TableStorage } from '../../tables/storage-s3';
import { sealLegacy, type LegacyKind } from '../harness/spec-envelopes';

const DATA_KEY = randomBytes(32);
const WRAPPED = Buffer.from('wrapped-by-stub-kms');
/** KmsV1's key description, which was also the encryption context of the wrap. */
const MATDESC = { kms_cmk_id: 'alias/k' };

/** A source whose stub KMS unwraps WRAPPED to DATA_KEY only under MATDESC (as KMS checks a context). */
function clientWith(allowLegacy: boolean): SourceClient {
  const send = async (command: { input: { CiphertextBlob: Uint8Array; EncryptionContext: Record<string, string> } }) => {
    const { CiphertextBlob, EncryptionContext } = command.input;
    if (!Buffer.from(CiphertextBlob).equals(WRAPPED) || JSON.stringify(EncryptionContext) !== JSON.stringify(MATDESC)) {
      throw Object.assign(new Error('invalid'), { name: 'InvalidCiphertextException', $metadata: { httpStatusCode: 400 } });
    }
    return { Plaintext: new Uint8Array(DATA_KEY) };
  };
  return {
    name: 'enc', bucket: 'b', prefix: '', config: { clientKms: { keyId: 'alias/k', allowLegacy, allowPlaintext: false } },
    kms: { kms: { send }, keyId: 'alias/k', field: 'sources.enc.clientKms' },
    read: async () => { throw new S3OperationError('gone', 'NoSuchKey', 'no instruction file'); },
  } as unknown as SourceClient;
}

const headersOf = (metadata: Record<string, string>) => Object.fromEntries(Object.entries(metadata).map(([k, v]) => [`x-amz-meta-${k}`, v]));

async function decrypt(client: SourceClient, body: Buffer, metadata: Record<string, string>, chunk = 1000): Promise<{ plaintext: Buffer; format: string }> {
  const opened = await openObject(client, 'k', headersOf(metadata));
  if (!('decryptor' in opened)) throw new Error('not encrypted');
  const pieces: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => pieces.push(c));
  const chunks = Array.from({ length: Math.ceil(body.length / chunk) }, (_, i) => body.subarray(i * chunk, (i + 1) * chunk));
  await pipeline(Readable.from(chunks), opened.decryptor, sink);
  return { plaintext: Buffer.concat(pieces), format: opened.record.format };
}

const KINDS: Array<[LegacyKind, string]> = [['v1-cbc', 'legacy-v1-cbc'], ['v2-cbc', 'legacy-v2-cbc'], ['v2-gcm-kms', 'legacy-v2-gcm']];

describe('legacy S3 Encryption Client formats (clientKms.allowLegacy)', () => {
  const plaintext = randomBytes(100_003);

  it.each(KINDS)('decrypts a %s object with allowLegacy, in chunks of any size, and records the format as %s', async (kind, format) => {
    const sealed = sealLegacy(kind, plaintext, DATA_KEY, WRAPPED, MATDESC);
    for (const chunk of [1, 15, 16, 17, 65536]) {
      const out = await decrypt(clientWith(true), sealed.body, sealed.metadata, chunk);
      expect(out.plaintext.equals(plaintext)).toBe(true);
      expect(out.format).toBe(format);
    }
  });

  it.each(['v1-cbc', 'v2-cbc'] as const)('decrypts an empty %s object (one block of padding)', async (kind) => {
    const sealed = sealLegacy(kind, Buffer.alloc(0), DATA_KEY, WRAPPED, MATDESC);
    expect(sealed.body.length).toBe(16);
    expect((await decrypt(clientWith(true), sealed.body, sealed.metadata)).plaintext.length).toBe(0);
  });

  it.each(KINDS)('refuses a %s object by name without allowLegacy, before any KMS call', async (kind) => {
    const sealed = sealLegacy(kind, plaintext, DATA_KEY, WRAPPED, MATDESC);
    const err = await openObject(clientWith(false), 'k', headersOf(sealed.metadata)).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'permanent', code: 'LegacyEncryptionFormat' });
    expect((err as Error).message).toMatch(/legacy format.*set sources\.enc\.clientKms\.allowLegacy: true/);
  });

  it('unwraps the data key with the key description as encryption context: a changed x-amz-matdesc is refused by KMS', async () => {
    const sealed = sealLegacy('v2-cbc', plaintext, DATA_KEY, WRAPPED, MATDESC);
    const changed = { ...sealed.metadata, 'x-amz-matdesc': JSON.stringify({ kms_cmk_id: 'alias/other' }) };
    await expect(openObject(clientWith(true), 'k', headersOf(changed))).rejects.toMatchObject({ code: 'InvalidCiphertextException' });
  });

  it('fails a CBC body whose last block was altered (bad padding) with one message naming no key material', async () => {
    const sealed = sealLegacy('v1-cbc', plaintext, DATA_KEY, WRAPPED, MATDESC);
    const tampered = Buffer.from(sealed.body);
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 0xff;
    const err = await decrypt(clientWith(true), tampered, sealed.metadata).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CbcDecryptionError);
    expect(err).toBeInstanceOf(TagMismatchError);
    expect((err as Error).message).not.toContain(DATA_KEY.toString('base64'));
  });

  it('fails a CBC body cut by whole blocks when the recorded plaintext length no longer matches', async () => {
    // Dropping the first block leaves valid padding: only x-amz-unencrypted-content-length tells.
    const sealed = sealLegacy('v2-cbc', plaintext, DATA_KEY, WRAPPED, MATDESC);
    const err = await decrypt(clientWith(true), sealed.body.subarray(16), sealed.metadata).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/decrypts to 99987 bytes, not the 100003 of x-amz-unencrypted-content-length/);
  });

  it('refuses legacy envelopes whose data key is not wrapped by KMS, or whose fields are malformed', () => {
    const sealed = sealLegacy('v1-cbc', plaintext, DATA_KEY, WRAPPED, MATDESC);
    expect(parseEnvelope({ ...sealed.metadata, 'x-amz-wrap-alg': 'AESWrap' }, { allowLegacy: true })).toMatchObject({ refused: 'unsupported', problem: expect.stringMatching(/x-amz-wrap-alg "AESWrap" is not kms/) });
    expect(parseEnvelope({ ...sealed.metadata, 'x-amz-wrap-alg': undefined }, { allowLegacy: true })).toMatchObject({ refused: 'unsupported' });
    expect(parseEnvelope({ ...sealed.metadata, 'x-amz-iv': Buffer.alloc(12).toString('base64') }, { allowLegacy: true })).toMatchObject({ refused: 'malformed', problem: 'x-amz-iv is not 16 bytes of base64' });
    expect(parseEnvelope({ ...sealed.metadata, 'x-amz-unencrypted-content-length': '-1' }, { allowLegacy: true })).toMatchObject({ refused: 'malformed' });
  });
});

describe('tables on a clientKms source with allowLegacy', () => {
  it('are refused by name, as a listed size cannot tell AES-CBC padding from a GCM tag', () => {
    expect(() => new S3TableStorage(clientWith(true), 'tables/t/')).toThrow(/source enc has clientKms with allowLegacy: tables on it are not read.*Fix: remove allowLegacy/);
    expect(new S3TableStorage(clientWith(false), 'tables/t/').location).toBe('s3://b/tables/t/');
  });
});
