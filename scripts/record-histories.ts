/**
 * Records workflow histories for the replay test (test/integration/replay.test.ts): runs each
 * workflow type against a fresh local Temporal dev server and MinIO and saves the histories as
 * JSON. Re-run it (npx tsx scripts/record-histories.ts) when a workflow changes on purpose, and
 * say in the commit why the old histories may no longer replay. `--only a,b` records only the
 * named histories (e.g. --only register-table,preview-table,table-history for a new workflow type)
 * and leaves the others' files as they are.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { parseConfig } from '../config/load';
import { startMinio } from '../devservers/minio';
import { toolPath } from '../devservers/process';
import { startTemporalDevServer } from '../devservers/temporal-dev';
import { createConnectorWorker } from '../worker/create-worker';
import { pngBytes } from '../test/harness/preview-fixtures';

/** Every file below `dir`, as [path relative to it with '/', absolute path]. */
function filesBelow(dir: string, root = dir): Array<[string, string]> {
  return readdirSync(dir).flatMap((name): Array<[string, string]> => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesBelow(path, root) : [[relative(root, path).split(sep).join('/'), path]];
  });
}

const OUT = resolve(__dirname, '..', 'test', 'fixtures', 'histories');

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = mkdtempSync(join(tmpdir(), 'record-'));
  const [temporal, minio] = await Promise.all([startTemporalDevServer({ logDir: dir, headless: true }), startMinio({ dataDir: join(dir, 'minio'), logDir: dir })]);
  try {
    const s3 = new S3Client({ endpoint: minio.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: minio.rootUser, secretAccessKey: minio.rootPassword } });
    await s3.send(new CreateBucketCommand({ Bucket: 'replay' }));
    const put = (i: number, text: string) => s3.send(new PutObjectCommand({ Bucket: 'replay', Key: `in/${String(i).padStart(4, '0')}.csv`, Body: text }));
    for (let i = 0; i < 1200; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => put(i + j, `row ${i + j}\n`)));
    await s3.send(new PutObjectCommand({ Bucket: 'replay', Key: 'media/pixel.png', Body: pngBytes() }));
    await s3.send(new PutObjectCommand({ Bucket: 'replay', Key: 'media/notes.txt', Body: 'not an image' }));
    const delta = resolve(__dirname, '..', 'test', 'fixtures', 'delta-kernel-rs', 'data', 'basic_partitioned');
    for (const [key, path] of filesBelow(delta)) await s3.send(new PutObjectCommand({ Bucket: 'replay', Key: `tables/basic/${key}`, Body: readFileSync(path) }));
    process.env.REPLAY_KEY = minio.rootUser;
    process.env.REPLAY_SECRET = minio.rootPassword;
    const { config } = parseConfig({
      datasetStore: join(dir, 'store'),
      sources: {
        src: { url: 's3://replay/', endpoint: minio.endpoint, pathStyleAccess: true,
          credentials: { type: 'accessKey', accessKeyId: '${env:REPLAY_KEY}', secretAccessKey: '${env:REPLAY_SECRET}' } },
        out: { url: 's3://replay/out/', endpoint: minio.endpoint, pathStyleAccess: true, exports: { enabled: true },
          credentials: { type: 'accessKey', accessKeyId: '${env:REPLAY_KEY}', secretAccessKey: '${env:REPLAY_SECRET}' } },
      },
      syncs: {
        bulk: { source: 'src', subfolder: 'in/', dataset: 'bulk', mode: 'bulk' },
        inc: { source: 'src', subfolder: 'in/', dataset: 'inc', mode: 'incremental' },
        media: { source: 'src', subfolder: 'media/', dataset: 'media', mode: 'media', mediaTypes: ['image/png'] },
      },
      exports: { deliver: { dataset: 'bulk', source: 'out', pathPrefix: 'deliveries/', cannedAcl: 'bucket-owner-full-control', mode: 'incremental' } },
      virtualTables: { basic: { source: 'src', format: 'delta', location: 'tables/basic/' } },
      tableSyncs: { 'basic-rows': { table: 'basic', dataset: 'basic_rows' } },
    });
    const nativeConnection = await NativeConnection.connect({ address: temporal.address });
    const worker = await createConnectorWorker({ config, connection: nativeConnection, taskQueue: 'replay', fromSources: true });
    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection });
    const runs: Array<[string, string, object]> = [
      ['checkSource', 'check', { source: 'src', maxErrorRetries: 1 }],
      ['exploreSource', 'explore', { source: 'src', maxErrorRetries: 1, request: { path: 'in/', recursive: false, pageSize: 10 } }],
      ['previewSource', 'preview', { source: 'src', maxErrorRetries: 1, path: 'in/0001.csv', limit: 5 }],
      ['bulkImport', 'bulk', { job: 'bulk', source: 'src', dataset: 'bulk', maxErrorRetries: 1 }],
      ['incrementalSync', 'inc-first', { job: 'inc', source: 'src', dataset: 'inc', maxErrorRetries: 1 }],
      ['mediaSync', 'media', { job: 'media', source: 'src', dataset: 'media', maxErrorRetries: 1 }],
      ['fileExport', 'export', { job: 'deliver', source: 'out', dataset: 'bulk', maxErrorRetries: 1 }],
      ['registerTable', 'register-table', { table: 'basic', maxErrorRetries: 1 }],
      ['previewTable', 'preview-table', { table: 'basic', maxErrorRetries: 1, limit: 3 }],
      ['tableHistory', 'table-history', { table: 'basic', maxErrorRetries: 1, limit: 10 }],
      ['discoverTables', 'discover-tables', { source: 'src', maxErrorRetries: 1, request: { path: 'tables/', maxDepth: 3, maxObjects: 100 } }],
      ['registerTable', 'register-table-entry', { table: 'found', maxErrorRetries: 1, entry: { source: 'src', format: 'delta', location: 'tables/basic/' } }],
      ['syncDryRun', 'sync-dry-run', { source: 'src', maxErrorRetries: 1, job: 'inc', now: 0 }],
      ['readTable', 'read-table', { table: 'basic', maxErrorRetries: 1, request: { limit: 4 }, format: 'parquet' }],
      ['tableSync', 'table-sync', { job: 'basic-rows', source: 'src', dataset: 'basic_rows', maxErrorRetries: 1 }],
    ];
    const only = process.argv.indexOf('--only');
    const wanted = only < 0 ? undefined : new Set((process.argv[only + 1] ?? '').split(','));
    await worker.runUntil(async () => {
      for (const [type, name, input] of runs) {
        if (wanted && !wanted.has(name)) continue;
        if (name === 'inc-first') await put(5000, 'late\n');
        const handle = await client.workflow.start(type, { taskQueue: 'replay', workflowId: `${type}/${name}`, args: [input] });
        await handle.result();
        // The Temporal CLI writes the standard JSON history format that replay reads.
        const json = execFileSync(toolPath('temporal'), ['workflow', 'show', '--workflow-id', handle.workflowId, '--address', temporal.address, '--output', 'json'], { encoding: 'utf8' });
        writeFileSync(join(OUT, `${name}.json`), json);
        process.stderr.write(`recorded ${name}\n`);
      }
    });
    await connection.close();
    await nativeConnection.close();
  } finally {
    await Promise.all([temporal.stop(), minio.stop()]);
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
