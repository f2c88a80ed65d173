/**
 * A second moto server, of one test file, that enforces IAM on KMS: for "a key the identity may
 * not use" (AccessDenied on kms:Decrypt or kms:GenerateDataKey). The run's shared moto
 * (global-setup.ts) answers any access key and, like this one, ignores key policies and a key's
 * disabled state; with INITIAL_NO_AUTH_ACTION_COUNT moto checks every request after the first N
 * against the caller's IAM identity policies, so the harness spends those N on an admin user.
 * Each identity made here is also a MinIO user with the same keys (readwrite), so one set of
 * AWS_* keys serves S3 and KMS, as in AWS.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { motoServerPath } from '../../devservers/moto';
import { freePort, projectRoot, startProcess, waitUntil } from '../../devservers/process';
import { mc } from './minio-admin';
import { testEnv } from './test-env';

/** Access keys of one identity (IAM user in moto, user in MinIO). */
export interface Identity { accessKeyId: string; secretAccessKey: string }

/** A running IAM-enforcing moto. */
export interface IamMoto {
  endpoint: string;
  /** The admin identity (every action allowed). */
  admin: Identity;
  /** Creates a symmetric KMS key as the admin; its id and ARN. */
  createKey(): Promise<{ keyId: string; arn: string }>;
  /** Creates an identity allowed exactly `kmsActions` (e.g. ['kms:GenerateDataKey']) in moto, readwrite in MinIO. */
  createIdentity(name: string, kmsActions: string[]): Promise<Identity>;
  stop(): Promise<void>;
}

/** The three unauthenticated actions the admin's bootstrap spends: CreateUser, PutUserPolicy, CreateAccessKey. */
const BOOTSTRAP_ACTIONS = 3;

/**
 * Creates an IAM user allowed `actions` (none: kms:* denied) and its access key, through boto3 in
 * the tools' venv (the S3 Encryption Client's own dependency; no IAM client among the npm ones).
 */
const MAKE_USER = `
import boto3, json, sys
endpoint, name, actions = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
iam.create_user(UserName=name)
statement = [{"Effect": "Allow", "Action": actions, "Resource": "*"}] if actions else [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}]
iam.put_user_policy(UserName=name, PolicyName=name + "-kms", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statement}))
key = iam.create_access_key(UserName=name)["AccessKey"]
print(json.dumps({"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}))
`;

async function makeIdentity(endpoint: string, caller: Identity, name: string, actions: string[]): Promise<Identity> {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: caller.accessKeyId, AWS_SECRET_ACCESS_KEY: caller.secretAccessKey, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
  const python = resolve(projectRoot(), '.tools', 'venv', 'bin', 'python');
  const { stdout } = await promisify(execFile)(python, ['-c', MAKE_USER, endpoint, name, JSON.stringify(actions)], { env });
  return JSON.parse(stdout) as Identity;
}

/** Starts an IAM-enforcing moto on loopback and bootstraps its admin; stop() it in afterAll. */
export async function startIamMoto(): Promise<IamMoto> {
  const port = await freePort();
  const logFile = join(testEnv().runDir, `moto-iam-${port}.log`);
  const proc = startProcess(motoServerPath(), ['-H', '127.0.0.1', '-p', String(port)], {
    logFile, env: { INITIAL_NO_AUTH_ACTION_COUNT: String(BOOTSTRAP_ACTIONS) },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntil('IAM-enforcing moto server', async () => (await fetch(`${endpoint}/moto-api/data.json`)).ok, 60_000, proc, logFile);
  try {
    // Unauthenticated: any keys pass the first BOOTSTRAP_ACTIONS requests.
    const admin = await makeIdentity(endpoint, { accessKeyId: 'bootstrap', secretAccessKey: 'bootstrap' }, 'admin', ['*']);
    return {
      endpoint, admin,
      async createKey() {
        const meta = (await new KMSClient({ endpoint, region: 'us-east-1', credentials: admin }).send(new CreateKeyCommand({}))).KeyMetadata;
        if (!meta?.KeyId || !meta.Arn) throw new Error('moto CreateKey returned no KeyMetadata.KeyId/Arn');
        return { keyId: meta.KeyId, arn: meta.Arn };
      },
      async createIdentity(name, kmsActions) {
        const identity = await makeIdentity(endpoint, admin, name, kmsActions);
        const { minio } = testEnv();
        mc('admin', 'user', 'add', minio.mcAlias, identity.accessKeyId, identity.secretAccessKey);
        mc('admin', 'policy', 'attach', minio.mcAlias, 'readwrite', '--user', identity.accessKeyId);
        return identity;
      },
      stop: proc.stop,
    };
  } catch (error) {
    await proc.stop();
    throw error;
  }
}
