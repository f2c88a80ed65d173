/**
 * Starts one real Temporal dev server, one real MinIO (with an OIDC provider), Apache Iceberg's
 * REST catalog server (its warehouse in that MinIO) and moto's server (AWS Glue) for the whole
 * test run. A missing binary is a failure, never a skip.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startIcebergRestServer } from '../../devservers/iceberg-rest';
import { startMinio } from '../../devservers/minio';
import { startMotoServer } from '../../devservers/moto';
import { toolPath, waitUntil } from '../../devservers/process';
import { startTemporalDevServer } from '../../devservers/temporal-dev';
import { startOidcProvider } from './oidc-provider';
import { ENV_FILE_VARIABLE, runDirFor, type TestEnv } from './test-env';

const OIDC_CLIENT_ID = 's3-connector-test';
/** The bucket of the Iceberg REST catalog server's warehouse. */
const ICEBERG_BUCKET = 'iceberg-catalog';

/** Logs of earlier runs are kept for reading until the next run; drop those whose jest has exited. */
function removeStaleRunDirs(parent: string): void {
  for (const name of (() => { try { return readdirSync(parent); } catch { return []; } })()) {
    const pid = Number(/^test-(\d+)$/.exec(name)?.[1]);
    if (!pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(join(parent, name), { recursive: true, force: true });
    }
  }
}

export default async function globalSetup(): Promise<void> {
  const RUN_DIR = runDirFor(process.pid);
  const ENV_FILE = join(RUN_DIR, 'env.json');
  removeStaleRunDirs(dirname(RUN_DIR));
  mkdirSync(RUN_DIR, { recursive: true });
  const oidc = await startOidcProvider();
  const [minio, temporal] = await Promise.all([
    startMinio({
      dataDir: join(RUN_DIR, 'minio-data'), logDir: RUN_DIR,
      env: {
        MINIO_IDENTITY_OPENID_CONFIG_URL: `${oidc.issuer}/.well-known/openid-configuration`,
        MINIO_IDENTITY_OPENID_CLIENT_ID: OIDC_CLIENT_ID,
        MINIO_IDENTITY_OPENID_ROLE_POLICY: 'readwrite',
        MINIO_IDENTITY_OPENID_SCOPES: 'openid',
      },
    }),
    startTemporalDevServer({ logDir: RUN_DIR, headless: true }),
  ]);
  const mcConfigDir = join(RUN_DIR, 'mc');
  execFileSync(toolPath('mc'), ['--config-dir', mcConfigDir, 'alias', 'set', 'test', minio.endpoint, minio.rootUser, minio.rootPassword], { stdio: 'pipe' });
  // MinIO names the role of an OpenID provider configured with a role policy in its log.
  let roleArn = '';
  await waitUntil('MinIO OpenID role ARN (mc idp openid ls)', async () => {
    roleArn = /arn:minio:iam:[^\s"]*:role\/[\w-]+/.exec(readFileSync(join(RUN_DIR, `minio-${minio.port}.log`), 'utf8'))?.[0] ?? '';
    if (!roleArn) {
      const info = execFileSync(toolPath('mc'), ['--config-dir', mcConfigDir, 'idp', 'openid', 'ls', 'test'], { encoding: 'utf8' });
      roleArn = /arn:minio:iam:[^\s"]*:role\/[\w-]+/.exec(info)?.[0] ?? '';
    }
    return roleArn !== '';
  }, 15_000);
  // The catalog servers: the REST one's warehouse is in MinIO, so it starts after it.
  execFileSync(toolPath('mc'), ['--config-dir', mcConfigDir, 'mb', '--ignore-existing', `test/${ICEBERG_BUCKET}`], { stdio: 'pipe' });
  const warehouse = `s3://${ICEBERG_BUCKET}/warehouse`;
  const [icebergRest, moto] = await Promise.all([
    startIcebergRestServer({
      logDir: RUN_DIR, dataDir: join(RUN_DIR, 'iceberg-rest'), warehouse, vendCredentials: true,
      s3: { endpoint: minio.endpoint, accessKeyId: minio.rootUser, secretAccessKey: minio.rootPassword },
    }),
    startMotoServer({ logDir: RUN_DIR }),
  ]);
  const privateKeyFile = join(RUN_DIR, 'oidc-key.pem');
  writeFileSync(privateKeyFile, oidc.privateKeyPem, { mode: 0o600 });
  const env: TestEnv = {
    runDir: RUN_DIR,
    temporalAddress: temporal.address,
    minio: { endpoint: minio.endpoint, rootUser: minio.rootUser, rootPassword: minio.rootPassword, mcAlias: 'test', mcConfigDir },
    oidc: { issuer: oidc.issuer, privateKeyFile, clientId: OIDC_CLIENT_ID, roleArn },
    icebergRest: { uri: icebergRest.uri, bucket: ICEBERG_BUCKET, warehouse },
    moto: { endpoint: moto.endpoint },
  };
  writeFileSync(ENV_FILE, JSON.stringify(env, null, 2));
  // Test workers are forked after this and inherit the variables. Their temp folders (stores,
  // configs, keys: tests made ~1,000 a run in /tmp and not all remove theirs) go into the run's
  // folder, which the teardown empties.
  process.env[ENV_FILE_VARIABLE] = ENV_FILE;
  const tmp = join(RUN_DIR, 'tmp');
  mkdirSync(tmp, { recursive: true });
  process.env.TMPDIR = tmp;
  (globalThis as Record<string, unknown>).__S3C_SERVERS__ = { minio, temporal, oidc, icebergRest, moto };
}
