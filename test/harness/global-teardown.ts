/** Stops what the global setup started and removes the run's temp folder (global-setup.ts). */
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { ServerProcess } from '../../devservers/process';
import { runDirFor } from './test-env';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as Record<string, unknown>).__S3C_SERVERS__ as
    { minio: ServerProcess; temporal: ServerProcess; oidc: { server: Server }; icebergRest: ServerProcess; moto: ServerProcess } | undefined;
  if (!servers) return;
  await Promise.all([servers.minio.stop(), servers.temporal.stop(), servers.icebergRest.stop(), servers.moto.stop()]);
  await new Promise<void>((done) => servers.oidc.server.close(() => done()));
  rmSync(join(runDirFor(process.pid), 'tmp'), { recursive: true, force: true });
}
