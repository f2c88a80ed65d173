/**
 * The embedded-defaults demo (README command 1): a local Temporal dev server with its Web UI,
 * a local MinIO with a seeded demo bucket (CSV, JSON lines, a PNG logo, a Delta table), a
 * worker, then every capability through that worker as Temporal workflows: check, explore,
 * preview, bulk and incremental syncs, a media set, a virtual table, an export. With a terminal
 * it keeps running, worker included, until Ctrl-C so the runs can be browsed in the Web UI;
 * unattended it stops everything and exits.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { stringify } from 'yaml';
import { main as cli } from '../client/cli';
import { loadConfig } from '../config/load';
import { startMinio } from '../devservers/minio';
import { freePort, projectRoot } from '../devservers/process';
import { startTemporalDevServer } from '../devservers/temporal-dev';
import { createConnectorWorker } from '../worker/create-worker';
import { demoDeltaTable, demoLogo } from './demo-fixtures';

const BUCKET = 'demo-landing';
const OUTBOUND = 'demo-outbound';

async function portOr(preferred: number): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((ok) => {
    const s = createServer().once('error', () => freePort().then(ok)).listen(preferred, '127.0.0.1', () => s.close(() => ok(preferred)));
  });
}

async function seed(endpoint: string, user: string, password: string): Promise<void> {
  const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: user, secretAccessKey: password } });
  for (const Bucket of [BUCKET, OUTBOUND]) {
    await s3.send(new CreateBucketCommand({ Bucket })).catch((err) => {
      if ((err as Error).name !== 'BucketAlreadyOwnedByYou') throw err;
    });
  }
  // One day's orders each: two distinct files.
  const orders = (day: number) => ['order_id,customer,amount,ordered_at', ...Array.from({ length: 25 }, (_, i) =>
    `${day * 1000 + i},customer-${(day + i) % 7},${((day * 31 + i) * 13.37 % 500).toFixed(2)},2026-11-${String(day).padStart(2, '0')}T${String(8 + (i % 10)).padStart(2, '0')}:00:00Z`)].join('\n');
  const events = Array.from({ length: 20 }, (_, i) => JSON.stringify({ event: i % 2 ? 'click' : 'view', user: `u${i}`, at: 1_700_000_000 + i })).join('\n');
  const objects: Array<[string, string | Buffer]> = [
    ['partner-a/orders/2026-11-01.csv', orders(1)], ['partner-a/orders/2026-11-02.csv', orders(2)],
    ['partner-a/events/events.jsonl', events], ['partner-a/media/logo.png', await demoLogo()], ['partner-a_archive/old.csv', orders(9)],
  ];
  await Promise.all(objects.map(([Key, Body]) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }))));
  // One after the other: a Delta version's time is its commit file's modification time.
  for (const [key, Body] of await demoDeltaTable()) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `partner-a/tables/orders/${key}`, Body }));
}

async function addAndModify(endpoint: string, user: string, password: string): Promise<void> {
  const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: user, secretAccessKey: password } });
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'partner-a/orders/2026-11-03.csv', Body: 'order_id,customer,amount,ordered_at\n2000,customer-9,99.00,2026-11-03T09:00:00Z\n' }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'partner-a/orders/2026-11-01.csv', Body: 'order_id,customer,amount,ordered_at\n1000,customer-0,10.00,2026-11-01T10:00:00Z\n' }));
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const stateDir = join(projectRoot(), '.run', 'demo');
  // Each demo starts from nothing, so the incremental steps show the same story every time.
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  const [temporal, minio] = await Promise.all([
    startTemporalDevServer({ logDir: stateDir, port: await portOr(7233), uiPort: await portOr(8233), dbFile: join(stateDir, 'temporal.db') }),
    startMinio({ dataDir: join(stateDir, 'minio'), logDir: stateDir, port: await portOr(9000) }),
  ]);
  const stop = async () => { await Promise.all([temporal.stop(), minio.stop()]); };
  try {
    await seed(minio.endpoint, minio.rootUser, minio.rootPassword);
    process.env.DEMO_ACCESS_KEY = minio.rootUser;
    process.env.DEMO_SECRET_KEY = minio.rootPassword;
    const configFile = join(stateDir, 's3-connector.yaml');
    writeFileSync(configFile, stringify({
      datasetStore: join(stateDir, 'datasets'),
      sources: {
        demo: {
          url: `s3://${BUCKET}/partner-a/`, endpoint: minio.endpoint, pathStyleAccess: true,
          credentials: { type: 'accessKey', accessKeyId: '${env:DEMO_ACCESS_KEY}', secretAccessKey: '${env:DEMO_SECRET_KEY}' },
        },
        outbound: {
          url: `s3://${OUTBOUND}/partner-a/`, endpoint: minio.endpoint, pathStyleAccess: true, exports: { enabled: true },
          credentials: { type: 'accessKey', accessKeyId: '${env:DEMO_ACCESS_KEY}', secretAccessKey: '${env:DEMO_SECRET_KEY}' },
        },
      },
      exports: {
        'to-partner': { dataset: 'orders', source: 'outbound', pathPrefix: 'deliveries/', cannedAcl: 'bucket-owner-full-control', mode: 'incremental' },
      },
      syncs: {
        'orders-snapshot': { source: 'demo', subfolder: 'orders/', dataset: 'orders_snapshot', mode: 'bulk', filters: { include: ['*.csv'] } },
        'orders-incremental': { source: 'demo', subfolder: 'orders/', dataset: 'orders', mode: 'incremental', transaction: 'update', filters: { include: ['*.csv'] } },
        logos: { source: 'demo', subfolder: 'media/', dataset: 'logos', mode: 'media', mediaTypes: ['image/png', 'image/jpeg'] },
      },
      virtualTables: {
        'orders-table': { source: 'demo', format: 'delta', location: 'tables/orders/' },
      },
    }));
    const connection = await NativeConnection.connect({ address: temporal.address });
    const worker = await createConnectorWorker({ config: loadConfig(configFile).config, connection });
    const flags = ['--config', configFile, '--address', temporal.address];
    const say = (text: string) => process.stdout.write(`\n== ${text}\n`);
    const code = await worker.runUntil(async () => {
      say(`s3-connector check demo   (a checkSource workflow on the worker)`);
      let failed = await cli(['node', 's3-connector', 'check', 'demo', ...flags]);
      say('s3-connector explore demo --recursive   (exploreSource workflows, one per page)');
      failed ||= await cli(['node', 's3-connector', 'explore', 'demo', '--recursive', ...flags]);
      say('s3-connector preview demo orders/2026-11-01.csv');
      failed ||= await cli(['node', 's3-connector', 'preview', 'demo', 'orders/2026-11-01.csv', '--rows', '5', ...flags]);
      say('s3-connector preview demo media/logo.png   (a media type and its metadata, read from the bytes)');
      failed ||= await cli(['node', 's3-connector', 'preview', 'demo', 'media/logo.png', ...flags]);
      say('s3-connector sync orders-snapshot --wait   (a bulkImport workflow: one SNAPSHOT transaction)');
      failed ||= await cli(['node', 's3-connector', 'sync', 'orders-snapshot', '--wait', ...flags]);
      say('s3-connector sync orders-incremental --wait   (an incrementalSync workflow: the first run lands everything)');
      failed ||= await cli(['node', 's3-connector', 'sync', 'orders-incremental', '--wait', ...flags]);
      say('adding orders/2026-11-03.csv and correcting orders/2026-11-01.csv in the bucket');
      await addAndModify(minio.endpoint, minio.rootUser, minio.rootPassword);
      say('s3-connector sync orders-incremental --wait   (lands only the new and the changed file, as an UPDATE)');
      failed ||= await cli(['node', 's3-connector', 'sync', 'orders-incremental', '--wait', ...flags]);
      say('s3-connector sync logos --wait   (a mediaSync workflow: images checked by their bytes, with their metadata)');
      failed ||= await cli(['node', 's3-connector', 'sync', 'logos', '--wait', ...flags]);
      say('s3-connector datasets files logos');
      failed ||= await cli(['node', 's3-connector', 'datasets', 'files', 'logos', ...flags]);
      say('s3-connector tables register orders-table   (a Delta table read where it is, in S3)');
      failed ||= await cli(['node', 's3-connector', 'tables', 'register', 'orders-table', ...flags]);
      say('s3-connector tables history orders-table');
      failed ||= await cli(['node', 's3-connector', 'tables', 'history', 'orders-table', ...flags]);
      say('s3-connector tables read orders-table --where "amount > 200" --limit 5');
      failed ||= await cli(['node', 's3-connector', 'tables', 'read', 'orders-table', '--where', 'amount > 200', '--limit', '5', ...flags]);
      say('s3-connector datasets list');
      failed ||= await cli(['node', 's3-connector', 'datasets', 'list', ...flags]);
      say('s3-connector datasets transactions orders');
      failed ||= await cli(['node', 's3-connector', 'datasets', 'transactions', 'orders', ...flags]);
      say('s3-connector export to-partner --wait   (a fileExport workflow: the dataset back to S3)');
      failed ||= await cli(['node', 's3-connector', 'export', 'to-partner', '--wait', ...flags]);
      say('s3-connector explore outbound --recursive');
      failed ||= await cli(['node', 's3-connector', 'explore', 'outbound', '--recursive', ...flags]);
      say('s3-connector runs');
      failed ||= await cli(['node', 's3-connector', 'runs', ...flags]);
      say('done');
      const ui = `${temporal.uiUrl}/namespaces/default/workflows`;
      process.stdout.write(`Runs in the Temporal Web UI:\n  ${ui}/bulkImport%2Forders-snapshot\n  ${ui}/incrementalSync%2Forders-incremental\n  ${ui}/mediaSync%2Flogos\n  ${ui}/fileExport%2Fto-partner\n`);
      process.stdout.write(`Temporal Web UI: ${ui}\nTemporal: ${temporal.address}   MinIO: ${minio.endpoint}   config: ${configFile}\n`);
      if (failed === 0 && process.stdin.isTTY && !process.env.CI) {
        // The worker keeps running too: the UI's progress queries and `status` need one.
        process.stdout.write(`Servers and the worker keep running so you can browse the runs (or run commands with --config ${configFile} --address ${temporal.address}); press Ctrl-C to stop.\n`);
        const keepAlive = setInterval(() => {}, 1 << 30);
        await new Promise<void>((done) => process.once('SIGINT', () => { clearInterval(keepAlive); done(); }));
      }
      return failed;
    });
    await connection.close();
    process.exitCode = code;
  } finally {
    await stop();
  }
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
