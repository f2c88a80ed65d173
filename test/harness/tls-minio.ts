/**
 * A second, TLS-only MinIO for the tests that need an https endpoint, serving the server
 * certificate of a test PKI. Its data and log live in the run dir of this test run.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { startMinio, type MinioServer } from '../../devservers/minio';
import { waitUntil } from '../../devservers/process';
import type { TestPki } from './pki';
import { testEnv } from './test-env';

/** True when `url` answers 200 over TLS verified against `ca` only. */
function httpsOk(url: string, ca: string): Promise<boolean> {
  return new Promise((done) => {
    const req = https.get(url, { ca, timeout: 2000 }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
  });
}

/** Starts MinIO over https on a free loopback port and waits until its liveness probe verifies against the PKI's CA. */
export async function startTlsMinio(pki: TestPki): Promise<MinioServer> {
  const dir = mkdtempSync(join(testEnv().runDir, 'tls-minio-'));
  const minio = await startMinio({ dataDir: join(dir, 'data'), logDir: dir, certsDir: pki.serverDir });
  const ca = readFileSync(pki.caFile, 'utf8');
  const logFile = join(dir, `minio-${minio.port}.log`);
  await waitUntil('MinIO over TLS', () => httpsOk(`${minio.endpoint}/minio/health/live`, ca), 60_000, minio, logFile);
  return minio;
}
