/**
 * What the global setup started, shared with every test file through a JSON file.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The servers of this test run. */
export interface TestEnv {
  runDir: string;
  temporalAddress: string;
  minio: { endpoint: string; rootUser: string; rootPassword: string; mcAlias: string; mcConfigDir: string };
  oidc: { issuer: string; privateKeyFile: string; clientId: string; roleArn: string };
  /** Apache Iceberg's REST catalog server; its warehouse is `warehouse` in MinIO's bucket `bucket`; it vends MinIO's root keys. */
  icebergRest: { uri: string; bucket: string; warehouse: string };
  /** moto's server: AWS Glue (any access key; region us-east-1). */
  moto: { endpoint: string };
}

/** Where a global setup (one per jest run, so runs side by side do not collide) keeps its state. */
export function runDirFor(pid: number): string {
  return resolve(__dirname, '..', '..', '.run', `test-${pid}`);
}

/** The env file of this run; the global setup exports its path to the test workers. */
export const ENV_FILE_VARIABLE = 'S3C_TEST_ENV_FILE';

let cached: TestEnv | undefined;

/** Reads the test env; fails loudly (never skips) when the global setup did not run. */
export function testEnv(): TestEnv {
  const file = process.env[ENV_FILE_VARIABLE];
  if (cached) return cached;
  try {
    cached = JSON.parse(readFileSync(file ?? '', 'utf8')) as TestEnv;
    return cached;
  } catch {
    throw new Error(`test env ${file ?? '(unset)'} is missing: the real servers were not started. Run the suite with npm test.`);
  }
}
