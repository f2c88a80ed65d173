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
}

/** Where the global setup writes its state. */
export const RUN_DIR = resolve(__dirname, '..', '..', '.run', 'test');
export const ENV_FILE = resolve(RUN_DIR, 'env.json');

/** Reads the test env; fails loudly (never skips) when the global setup did not run. */
export function testEnv(): TestEnv {
  try {
    return JSON.parse(readFileSync(ENV_FILE, 'utf8')) as TestEnv;
  } catch {
    throw new Error(`${ENV_FILE} is missing: the real servers were not started. Run the suite with npm test.`);
  }
}
