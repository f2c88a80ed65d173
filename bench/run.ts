/**
 * The benchmark: `npx tsx bench/run.ts [--smoke | --tiny] [--runs N] ...` (see bench/README.md).
 * Starts one MinIO and one Temporal dev server on loopback, generates the workloads once, runs
 * s3-connector and its peers side by side, and writes bench/results/ (results.md, results.json,
 * chart.png). Exit code 0 when the report was written, even if some runs failed (they are in
 * the report); 1 when the benchmark itself could not run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startMinio } from '../devservers/minio';
import { startTemporalDevServer } from '../devservers/temporal-dev';
import { ConnectorRunner } from './connector';
import { adminClient, ensureBucket, generateListing, generateWorkload, type S3Target } from './generate';
import { loadAverage } from './measure';
import { parseOptions } from './options';
import { INTEGRITY, Peers } from './peers';
import { profileImport } from './profile';
import { describeRow, writeResults } from './report';
import type { Results } from './results';
import { exportSuite, importSuite, incrementalSuite, warpSuite, type SuiteContext } from './suites';

const root = resolve(__dirname, '..');
const bin = join(root, '.tools', 'bin');
const log = (line: string) => process.stdout.write(`${line}\n`);

/** Versions of the programs involved, from their build info (`go version -m`) or their --version. */
function versions(): Record<string, string> {
  const tryRun = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 }).trim();
    } catch {
      return '';
    }
  };
  const goModule = (name: string) => /\n\s*mod\s+\S+\s+(\S+)/.exec(`\n${tryRun('go', ['version', '-m', join(bin, name)])}`)?.[1];
  const out: Record<string, string> = {};
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  out['s3-connector'] = `${pkg.version} (${tryRun('git', ['-C', root, 'rev-parse', '--short', 'HEAD']) || 'no git'}, working tree as built in dist/)`;
  for (const name of ['s5cmd', 'warp', 'minio', 'temporal']) {
    if (existsSync(join(bin, name))) out[name] = goModule(name) ?? 'unknown';
  }
  if (existsSync(join(bin, 'rclone'))) out.rclone = tryRun(join(bin, 'rclone'), ['version']).split('\n')[0]!.replace(/^rclone /, '');
  if (existsSync(join(bin, 'aws'))) out['aws-cli'] = tryRun(join(bin, 'aws'), ['--version']).split(' ').filter((w) => /^(aws-cli|botocore)\//.test(w)).join(' ').replace(/^aws-cli\//, '');
  return out;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2), root);
  rmSync(opts.workDir, { recursive: true, force: true });
  mkdirSync(join(opts.workDir, 'out'), { recursive: true });
  log(`bench (${opts.mode}): workloads ${[...opts.workloads.map((w) => w.name), ...(opts.listing ? ['incremental'] : [])].join(', ')}; `
    + `tools ${opts.tools.join(', ')}; ${opts.runs} run(s) each; concurrency ${opts.concurrency}; work folder ${opts.workDir}`);
  const results: Results = {
    mode: opts.mode, startedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadBefore: loadAverage() },
    concurrency: opts.concurrency, runsPerCell: opts.runs, versions: versions(),
    integrity: Object.fromEntries(opts.tools.map((t) => [t, INTEGRITY[t]])), rows: [], warp: [], notes: [],
  };
  const [minio, temporal] = await Promise.all([
    startMinio({ dataDir: join(opts.workDir, 'minio'), logDir: opts.workDir }),
    startTemporalDevServer({ logDir: opts.workDir, headless: true }),
  ]);
  const stopServers = () => Promise.all([minio.stop(), temporal.stop()]);
  process.once('SIGINT', () => { void stopServers().then(() => process.exit(130)); });
  const connection = await Connection.connect({ address: temporal.address });
  try {
    const target: S3Target = { endpoint: minio.endpoint, accessKeyId: minio.rootUser, secretAccessKey: minio.rootPassword };
    const admin = adminClient(target);
    const serverPids = [minio.child.pid!, temporal.child.pid!];
    const ctx: SuiteContext = {
      opts, root, bin, target, admin, srcBucket: 'bench-source', dstBucket: 'bench-target', serverPids,
      peers: new Peers(target, opts.concurrency, join(opts.workDir, 'peers'), bin),
      connector: new ConnectorRunner(new Client({ connection }), temporal.address, target, opts.concurrency, root, join(opts.workDir, 'connector'), serverPids),
      results, datasets: new Map(), log,
      save: () => { writeResults(results, opts.resultsDir, false, ''); },
    };
    await Promise.all([ensureBucket(admin, ctx.srcBucket), ensureBucket(admin, ctx.dstBucket)]);
    const generating = Date.now();
    for (const w of opts.workloads) await generateWorkload(admin, ctx.srcBucket, w, join(opts.workDir, 'gen', w.name));
    if (opts.listing) await generateListing(admin, ctx.srcBucket, opts.listing);
    log(`generated the workloads in ${((Date.now() - generating) / 1000).toFixed(1)} s`);

    for (const w of opts.workloads) {
      log(`import ${w.name} (${w.label})`);
      await importSuite(ctx, w);
      if (opts.exports) {
        log(`export ${w.name} (${w.label})`);
        await exportSuite(ctx, w);
      }
    }
    if (opts.listing) {
      log(`incremental (${opts.listing.count} + ${opts.listing.added} objects)`);
      await incrementalSuite(ctx, opts.listing);
    }
    if (opts.warpSeconds > 0) {
      log(`warp (${opts.warpSeconds} s per run)`);
      await warpSuite(ctx);
    }
    // Profiles of the small- and large-object imports, where per-request and per-byte costs show.
    for (const w of opts.profile ? opts.workloads.filter((x) => x.name !== 'medium') : []) {
      try {
        log(`profile: ${await profileImport(ctx, w)}`);
      } catch (err) {
        results.notes.push(`profiling the ${w.name} import failed: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    results.finishedAt = new Date().toISOString();
    results.machine.loadAfter = loadAverage();
    for (const row of results.rows) log(describeRow(row));
    const written = writeResults(results, opts.resultsDir, opts.chart, join(root, '.tools', 'venv', 'bin', 'python'));
    log(`wrote ${written.join(', ')}`);
  } finally {
    await connection.close();
    await stopServers();
  }
  // The generated data and copies take gigabytes in a full run; logs and configs stay.
  for (const dir of ['minio', 'gen', 'out']) rmSync(join(opts.workDir, dir), { recursive: true, force: true });
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
