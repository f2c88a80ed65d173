/**
 * The cost of client-side decryption on the benchmark's large import (bench/README.md,
 * "Client-side KMS"): `npx tsx bench/kms/run.ts [--runs N] [--size-mib N]`. The same 2 × 1 GiB
 * plaintexts as two bucket prefixes: `plain/` put as the main benchmark puts them (single
 * PutObject, CRC32), `enc/` encrypted by the AWS S3 Encryption Client for Python 4.0.0 in the v2
 * format (single PutObject: the same layout). Each run imports both with a `bulkImport` on a fresh
 * worker, as bench/run.ts does (bench/connector.ts measures it), interleaved; the medians go to
 * bench/results/kms/ (results.json, results.md; `--results DIR` elsewhere). Starts its own MinIO, Temporal dev server and
 * moto (KMS); needs the built CLI (npm run build) and scripts/install-s3ec-clients.sh.
 */
import { spawn } from 'node:child_process';
import { createReadStream, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { Client, Connection } from '@temporalio/client';
import { stringify } from 'yaml';
import { startMinio } from '../../devservers/minio';
import { startMotoServer } from '../../devservers/moto';
import { startTemporalDevServer } from '../../devservers/temporal-dev';
import { ConnectorRunner } from '../connector';
import { adminClient, ensureBucket, generateWorkload, objectName, type S3Target } from '../generate';
import { loadAverage, medianSample, type Sample } from '../measure';

const root = resolve(__dirname, '..', '..');
const log = (line: string) => process.stdout.write(`${line}\n`);
const MiB = 1024 * 1024;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}: expected a positive integer`);
  return value;
}

/** The `verifiedBy` values of the file entries the dataset records (its JSON files, blobs aside): which source check each import did. */
function verifiedBy(dataset: string): string[] {
  const found = new Set<string>();
  for (const path of readdirSync(dataset, { recursive: true }).map(String)) {
    if (!/\.jsonl?$/.test(path)) continue;
    for (const m of readFileSync(join(dataset, path), 'utf8').matchAll(/"verifiedBy":"([^"]+)"/g)) found.add(m[1]!);
  }
  return [...found].sort();
}

/** Encrypts `file` with the Python S3 Encryption Client (v2 format, one PutObject) to `key`. */
async function putEncrypted(target: S3Target, kmsEndpoint: string, keyId: string, bucket: string, key: string, file: string, size: number): Promise<void> {
  const python = join(root, '.tools', 'venv', 'bin', 'python');
  const args = [join(root, 'scripts', 'fixtures', 's3ec_python.py'), 'put', '--endpoint', target.endpoint, '--kms-endpoint', kmsEndpoint,
    '--region', 'us-east-1', '--bucket', bucket, '--key', key, '--kms-key-id', keyId, '--format', 'v2',
    // A part size above the object's size: one PutObject, the layout of the plain objects.
    '--part-size', String(size + MiB)];
  const child = spawn(python, args, { env: { ...process.env, AWS_ACCESS_KEY_ID: target.accessKeyId, AWS_SECRET_ACCESS_KEY: target.secretAccessKey,
    AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' }, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  createReadStream(file).pipe(child.stdin);
  const code = await new Promise<number | null>((ok, fail) => { child.once('error', fail); child.once('close', ok); });
  if (code !== 0) throw new Error(`s3ec_python put ${key} exited ${code}: ${stderr.trim()}`);
}

async function main(): Promise<void> {
  const runs = option('--runs', 3);
  const size = option('--size-mib', 1024) * MiB;
  const count = 2;
  const workDir = join(root, '.run', 'bench-kms');
  const resultsAt = process.argv.indexOf('--results');
  const resultsDir = resultsAt >= 0 ? resolve(process.argv[resultsAt + 1] ?? '') : join(root, 'bench', 'results', 'kms');
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const [minio, temporal, moto] = await Promise.all([
    startMinio({ dataDir: join(workDir, 'minio'), logDir: workDir }),
    startTemporalDevServer({ logDir: workDir, headless: true }),
    startMotoServer({ logDir: workDir }),
  ]);
  const connection = await Connection.connect({ address: temporal.address });
  try {
    const target: S3Target = { endpoint: minio.endpoint, accessKeyId: minio.rootUser, secretAccessKey: minio.rootPassword };
    const admin = adminClient(target);
    const bucket = 'bench-kms';
    await ensureBucket(admin, bucket);
    const gen = join(workDir, 'gen');
    const generating = Date.now();
    await generateWorkload(admin, bucket, { name: 'large', label: `${count} × ${size / MiB} MiB`, prefix: 'plain/', count, size }, gen);
    const kms = new KMSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey } });
    const keyId = (await kms.send(new CreateKeyCommand({ Description: 'bench kms' }))).KeyMetadata!.KeyId!;
    for (let i = 0; i < count; i++) await putEncrypted(target, moto.endpoint, keyId, bucket, `enc/${objectName(i)}`, join(gen, objectName(i)), size);
    log(`generated ${count} × ${size / MiB} MiB, plain and encrypted (Python client, v2), in ${((Date.now() - generating) / 1000).toFixed(1)} s`);

    const serverPids = [minio.child.pid!, temporal.child.pid!, moto.child.pid!];
    const runner = new ConnectorRunner(new Client({ connection }), temporal.address, target, 16, root, join(workDir, 'connector'), serverPids);
    const source = (prefix: string, encrypted: boolean) => ({
      url: `s3://${bucket}/${prefix}`, endpoint: target.endpoint, pathStyleAccess: true, maxConnections: 16, region: 'us-east-1',
      credentials: { type: 'accessKey', accessKeyId: '${env:BENCH_S3_KEY}', secretAccessKey: '${env:BENCH_S3_SECRET}' },
      ...(encrypted ? { clientKms: { keyId, kmsEndpoint: moto.endpoint } } : {}),
    });
    const samples: Record<'plain' | 'encrypted', Sample[]> = { plain: [], encrypted: [] };
    const landed: Record<string, string[]> = {};
    const checks: Record<string, string[]> = {};
    for (let run = 1; run <= runs; run++) {
      for (const variant of ['plain', 'encrypted'] as const) {
        const store = join(workDir, 'out', `${variant}-${run}`);
        rmSync(store, { recursive: true, force: true });
        mkdirSync(store, { recursive: true });
        const file = join(workDir, `${variant}-${run}.yaml`);
        writeFileSync(file, stringify({ datasetStore: store, sources: { src: source(variant === 'plain' ? 'plain/' : 'enc/', variant === 'encrypted') },
          syncs: { large: { source: 'src', dataset: 'large', mode: 'bulk' } } }));
        const { sample, result } = await runner.run<{ filesAdded: number }>(file, 'bulkImport', 'large', { source: 'src', dataset: 'large' });
        if (result.filesAdded !== count) throw new Error(`${variant} run ${run}: imported ${result.filesAdded} files, expected ${count}`);
        // Blobs are named by their SHA-256: both imports must land the same plaintexts.
        landed[variant] = readdirSync(join(store, 'large', 'blobs'), { recursive: true }).map(String).filter((p) => /[0-9a-f]{64}$/.test(p)).sort();
        checks[variant] = verifiedBy(join(store, 'large'));
        samples[variant].push(sample);
        log(`run ${run} ${variant}: ${sample.wallSeconds.toFixed(2)} s wall, ${sample.cpuSeconds.toFixed(2)} s CPU, ${(sample.peakRssBytes / MiB).toFixed(0)} MiB peak RSS, verified by ${checks[variant].join(', ')}`);
        rmSync(store, { recursive: true, force: true });
      }
      if (JSON.stringify(landed.plain) !== JSON.stringify(landed.encrypted) || landed.plain!.length !== count) {
        throw new Error(`run ${run}: the encrypted import landed blobs ${JSON.stringify(landed.encrypted)}, the plain one ${JSON.stringify(landed.plain)}`);
      }
    }
    const plain = medianSample(samples.plain);
    const encrypted = medianSample(samples.encrypted);
    const results = {
      finishedAt: new Date().toISOString(), runs, objects: count, objectBytes: size, load: loadAverage(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
      verifiedBy: checks, samples, medians: { plain, encrypted },
    };
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    const row = (name: string, s: Sample) => `| ${name} | ${s.wallSeconds.toFixed(2)} | ${s.cpuSeconds.toFixed(2)} | ${(s.peakRssBytes / MiB).toFixed(0)} | ${s.serverCpuSeconds.toFixed(2)} |`;
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
    const md = [`# Client-side KMS: decryption cost on the ${count} × ${size / MiB} MiB import`, '',
      `Finished ${results.finishedAt}, ${runs} runs, medians; ${results.machine.cpus} CPUs (${results.machine.cpuModel}), load average at the end ${results.load.join(' / ')}.`, '',
      '| import | wall s | worker CPU s | worker peak RSS MiB | MinIO + Temporal + moto CPU s |', '|---|---|---|---|---|',
      row('plain', plain), row('encrypted (v2, Python client)', encrypted), '',
      `Source checks (the file entries' verifiedBy): plain ${checks.plain?.join(', ')}, encrypted ${checks.encrypted?.join(', ')} (on the ciphertext).`, '',
      `Encrypted / plain: wall ${ratio(encrypted.wallSeconds, plain.wallSeconds)}, worker CPU ${ratio(encrypted.cpuSeconds, plain.cpuSeconds)} (+${(encrypted.cpuSeconds - plain.cpuSeconds).toFixed(2)} s), peak RSS ${ratio(encrypted.peakRssBytes, plain.peakRssBytes)}.`, ''].join('\n');
    writeFileSync(join(resultsDir, 'results.md'), md);
    log(md);
  } finally {
    await connection.close();
    await Promise.all([minio.stop(), temporal.stop(), moto.stop()]);
    for (const dir of ['minio', 'gen', 'out']) rmSync(join(workDir, dir), { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench kms failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
