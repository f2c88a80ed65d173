/** Stops what the global setup started. */
import type { Server } from 'node:http';
import type { ServerProcess } from '../../devservers/process';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as Record<string, unknown>).__S3C_SERVERS__ as
    { minio: ServerProcess; temporal: ServerProcess; oidc: { server: Server } } | undefined;
  if (!servers) return;
  await Promise.all([servers.minio.stop(), servers.temporal.stop()]);
  await new Promise<void>((done) => servers.oidc.server.close(() => done()));
}
