/**
 * The AWS S3 Encryption Clients as reference writers and readers for the client-side KMS interop
 * tests: the Python client (scripts/fixtures/s3ec_python.py) and the Go client
 * (scripts/s3ec-go, built into .tools/bin/s3ec-go), both installed by
 * scripts/install-s3ec-clients.sh and pointed at the test run's MinIO and moto's KMS.
 *
 * What each client does (its version's limits, not the harness's):
 * - python (amazon-s3-encryption-client-python 4.0.0): writes `committing` (its default,
 *   key-committing, compact x-amz-c.. metadata) and `v2`; a plaintext of `partSize` bytes or more
 *   (default 8 MiB) is sent as a multipart upload. Reads both; a get with `format: 'committing'`
 *   refuses v2 objects. Checks `context` on get against the stored one (equality).
 * - go (amazon-s3-encryption-client-go v3.1.0): writes `v2` only, always with one PutObject (no
 *   multipart). Reads v2 (and its instruction files); refuses key-committing objects (by the
 *   wrapper, by name). The wrapper checks `context` on get as the Python client does, since the
 *   Go client takes none.
 * Both hold a whole object in memory to encrypt or decrypt it.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { projectRoot, toolPath } from '../../devservers/process';
import { testEnv } from './test-env';

/** A reference client. */
export type S3ecClient = 'python' | 'go';

/** An envelope format: the v2 format (AES-GCM, kms+context) or the key-committing one. */
export type S3ecFormat = 'v2' | 'committing';

/** The formats each client writes. */
export const S3EC_WRITE_FORMATS: Readonly<Record<S3ecClient, readonly S3ecFormat[]>> = { python: ['v2', 'committing'], go: ['v2'] };

/** Where and how a reference client puts or gets one object. Defaults: the test run's MinIO, moto's KMS, us-east-1, MinIO's root keys. */
export interface S3ecOptions {
  bucket: string;
  key: string;
  /** KMS key id, ARN or `alias/...`. */
  kmsKeyId: string;
  /** put: required; get: python only, `committing` refuses v2 objects. */
  format?: S3ecFormat;
  /** The encryption context: written on put, expected (exactly) on get. */
  context?: Record<string, string>;
  endpoint?: string;
  kmsEndpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** python put: plaintexts of this size or more go multipart, in parts of this size (at least 5 MiB). */
  partSize?: number;
  /** python get: also read the legacy formats (AES-CBC content, `kms` wrapped data keys). */
  legacy?: boolean;
}

/** A reference client's refusal: its exit status and its own error text. */
export class S3ecError extends Error {
  constructor(readonly client: S3ecClient, readonly command: 'put' | 'get', readonly exitCode: number | null, readonly stderr: string) {
    super(`${client} s3ec ${command} exited ${exitCode}: ${stderr.trim()}`);
    this.name = 'S3ecError';
  }
}

function program(client: S3ecClient): string[] {
  const root = projectRoot();
  const fix = 'Fix: run bash scripts/install-s3ec-clients.sh (scripts/install-test-tools.sh runs it).';
  if (client === 'python') {
    const python = resolve(root, '.tools', 'venv', 'bin', 'python');
    if (!existsSync(python)) throw new Error(`the tools' venv has no python (${python}). ${fix}`);
    return [python, resolve(root, 'scripts', 'fixtures', 's3ec_python.py')];
  }
  const go = toolPath('s3ec-go');
  if (!existsSync(go)) throw new Error(`s3ec-go is not built (${go}). ${fix}`);
  return [go];
}

function argsFor(command: 'put' | 'get', client: S3ecClient, o: S3ecOptions): string[] {
  const env = testEnv();
  const args = [
    command, '--endpoint', o.endpoint ?? env.minio.endpoint, '--kms-endpoint', o.kmsEndpoint ?? env.moto.endpoint,
    '--region', o.region ?? 'us-east-1', '--bucket', o.bucket, '--key', o.key, '--kms-key-id', o.kmsKeyId,
  ];
  if (o.format) args.push('--format', o.format);
  for (const [k, v] of Object.entries(o.context ?? {})) args.push('--context', `${k}=${v}`);
  if (o.partSize !== undefined) {
    if (client !== 'python') throw new Error(`partSize: the ${client} client has no multipart upload; leave partSize unset`);
    args.push('--part-size', String(o.partSize));
  }
  if (o.legacy) {
    if (client !== 'python' || command !== 'get') throw new Error(`legacy: only the python client's get reads legacy formats here (${client} ${command})`);
    args.push('--legacy');
  }
  return args;
}

/** Runs one wrapper; `input` feeds stdin, `output` takes stdout. Rejects with S3ecError on a non-zero exit. */
async function run(client: S3ecClient, command: 'put' | 'get', o: S3ecOptions, input: NodeJS.ReadableStream | Buffer | null, output: NodeJS.WritableStream | null): Promise<Buffer> {
  const [bin, ...pre] = program(client);
  const { minio } = testEnv();
  const credentials = o.credentials ?? { accessKeyId: minio.rootUser, secretAccessKey: minio.rootPassword };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    // Only the given keys: no profile, session token or instance metadata.
    AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined, AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  const child = spawn(bin!, [...pre, ...argsFor(command, client, o)], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((ok, fail) => { child.once('error', fail); child.once('close', ok); });
  const written = output ? pipeline(child.stdout, output) : (child.stdout.on('data', (d: Buffer) => chunks.push(d)), Promise.resolve());
  // A client that exits early closes stdin: EPIPE there is the exit's story, told by stderr.
  child.stdin.on('error', () => undefined);
  if (input === null) child.stdin.end();
  else if (Buffer.isBuffer(input)) child.stdin.end(input);
  else input.pipe(child.stdin);
  const [code] = await Promise.all([exited, written]);
  if (code !== 0) throw new S3ecError(client, command, code, stderr);
  return Buffer.concat(chunks);
}

/** Encrypts `plaintext` (bytes, or `{ file }` for a large one) with a reference client and puts it at `options.key`. */
export async function s3ecPut(client: S3ecClient, options: S3ecOptions, plaintext: Buffer | { file: string }): Promise<void> {
  if (!options.format) throw new Error('s3ecPut: options.format is required (v2 or committing)');
  await run(client, 'put', options, Buffer.isBuffer(plaintext) ? plaintext : createReadStream(plaintext.file), null);
}

/** Gets `options.key` and decrypts it with a reference client; the plaintext. */
export function s3ecGet(client: S3ecClient, options: S3ecOptions): Promise<Buffer> {
  return run(client, 'get', options, null, null);
}

/** As s3ecGet, writing the plaintext to `file` (for objects too large to hold twice). */
export async function s3ecGetToFile(client: S3ecClient, options: S3ecOptions, file: string): Promise<void> {
  await run(client, 'get', options, null, createWriteStream(file));
}

/** A KMS client on moto's server of the test run (MinIO's root keys, as the wrappers use: one moto account). */
export function testKms(): KMSClient {
  const { moto, minio } = testEnv();
  return new KMSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: minio.rootUser, secretAccessKey: minio.rootPassword } });
}

/** Creates a symmetric KMS key on moto and an alias for it (`alias/<hint>-<unique>`); its id, ARN and alias. */
export async function createKmsKey(hint = 's3ec'): Promise<{ keyId: string; arn: string; alias: string }> {
  const kms = testKms();
  const created = await kms.send(new CreateKeyCommand({ Description: `interop test key ${hint}` }));
  const keyId = created.KeyMetadata?.KeyId;
  const arn = created.KeyMetadata?.Arn;
  if (!keyId || !arn) throw new Error('moto CreateKey returned no KeyMetadata.KeyId/Arn');
  const alias = `alias/${hint}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
  return { keyId, arn, alias };
}
