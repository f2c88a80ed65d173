/**
 * Opens the decryption of one object of a `clientKms` source: reads its envelope (metadata, or
 * instruction file), unwraps its data key with KMS, checks the key commitment of the committing
 * format, and returns a GCM decryptor for its body. The data key lives only inside the
 * decipher; nothing returned or thrown holds it.
 */
import type { Transform } from 'node:stream';
import type { SourceClient } from '../s3/client';
import { S3OperationError } from '../s3/errors';
import { cbcDecryptor } from './cbc-decrypt';
import { COMMITTING_IV, commitmentMatches, deriveContentKey, SUITE_ID_BYTES } from './committing';
import { decryptDataKey } from './data-key';
import { parseEnvelope, type Envelope, type EnvelopeFormat } from './envelope';
import { readInstructionFile, userMetadata } from './instruction-file';
import { gcmDecryptor } from './gcm-decrypt';

/**
 * Codes of failures that concern one encrypted object alone (altered bytes or envelope, a key
 * or context it was not written with, a format not read): the object is reported and skipped,
 * the others land. A KMS permission or an unreachable KMS concerns every object and fails the run.
 */
const OBJECT_REFUSALS = new Set(['DecryptionFailed', 'KeyCommitmentMismatch', 'InvalidCiphertextException', 'IncorrectKeyException',
  'NotEncrypted', 'LegacyEncryptionFormat', 'UnsupportedEncryption', 'BadInstructionFile', 'BadDataKey']);

/** Whether `err` refuses one encrypted object only (see OBJECT_REFUSALS). */
export function isObjectRefusal(err: unknown): err is S3OperationError {
  return err instanceof S3OperationError && OBJECT_REFUSALS.has(err.code);
}

/** What the dataset's file entry records of a decrypted object. */
export interface DecryptionRecord {
  format: EnvelopeFormat;
  /** The key id, ARN or alias the data key was unwrapped with (clientKms.keyId). */
  keyId: string;
}

/** An encrypted object: pipe its body through `decryptor`. An unencrypted one a source lets in: `plaintext`. */
export type OpenedObject = { decryptor: Transform; record: DecryptionRecord } | { plaintext: true };

/** The envelope of `key` (metadata first, then the instruction file), or undefined when it has none. */
export async function envelopeOf(client: SourceClient, key: string, headers: Record<string, string | string[] | undefined>, signal?: AbortSignal): Promise<Envelope | undefined> {
  const what = `s3://${client.bucket}/${key}`;
  const metadata = userMetadata(headers);
  const options = { allowLegacy: client.config.clientKms?.allowLegacy ?? false };
  let parsed = parseEnvelope(metadata, options);
  if (parsed === undefined) {
    const merged = await readInstructionFile(client, key, metadata, signal);
    parsed = merged && parseEnvelope(merged, options);
  }
  if (parsed === undefined) return undefined;
  if ('refused' in parsed) {
    const field = client.kms?.field ?? `sources.${client.name}.clientKms`;
    const fix = parsed.refused === 'legacy'
      ? `re-encrypt the object with a current S3 Encryption Client (v2 or key-committing format), or set ${field}.allowLegacy: true to read legacy objects (AES-CBC content is not authenticated: README "Client-side encryption"), or exclude the object.`
      : parsed.refused === 'unsupported'
        ? 'the connector decrypts objects whose data key KMS wrapped (kms+context; kms with allowLegacy) only; exclude the object from the job.'
        : 'the object\'s encryption metadata is damaged; it cannot be decrypted.';
    throw new S3OperationError('permanent', parsed.refused === 'legacy' ? 'LegacyEncryptionFormat' : 'UnsupportedEncryption', `${what}: ${parsed.problem}. Fix: ${fix}`);
  }
  return parsed;
}

/**
 * Prepares the decryption of `key`, whose GET returned `headers`. An object without envelope
 * is refused unless the source allows plaintext.
 */
export async function openObject(client: SourceClient, key: string, headers: Record<string, string | string[] | undefined>, signal?: AbortSignal): Promise<OpenedObject> {
  const kms = client.kms;
  if (!kms) throw new Error(`openObject called for source ${client.name}, which has no clientKms`);
  const what = `s3://${client.bucket}/${key}`;
  const envelope = await envelopeOf(client, key, headers, signal);
  if (!envelope) {
    if (client.config.clientKms?.allowPlaintext) return { plaintext: true };
    throw new S3OperationError('permanent', 'NotEncrypted', `${what}: carries no S3 Encryption Client envelope (no x-amz-key-v2 or x-amz-3 metadata, no ${key}.instruction), but ${kms.field} says this source's objects are encrypted. Fix: set ${kms.field}.allowPlaintext: true to read unencrypted objects as they are, or exclude the object.`);
  }
  const dataKey = await decryptDataKey(kms, envelope.wrappedKey, envelope.context, what, signal);
  try {
    const record = { format: envelope.format, keyId: kms.keyId };
    if (envelope.cipher === 'cbc') return { decryptor: cbcDecryptor(dataKey, envelope.iv!, envelope.plaintextLength), record };
    if (envelope.format !== 'v3-committing') {
      return { decryptor: gcmDecryptor(dataKey, envelope.iv!, { tagLength: envelope.tagLength }), record };
    }
    if (!commitmentMatches(dataKey, envelope.messageId!, envelope.commitment!)) {
      throw new S3OperationError('permanent', 'KeyCommitmentMismatch', `${what}: the key commitment (x-amz-d) does not match the data key: the envelope belongs to another object or was altered. Nothing of the object is kept.`);
    }
    const contentKey = deriveContentKey(dataKey, envelope.messageId!);
    try {
      return { decryptor: gcmDecryptor(contentKey, COMMITTING_IV, { tagLength: envelope.tagLength, aad: SUITE_ID_BYTES }), record };
    } finally {
      contentKey.fill(0);
    }
  } finally {
    // The decipher holds its own copy of the key schedule.
    dataKey.fill(0);
  }
}
