/**
 * The benchmark's sections: import (bucket -> local), export (local -> bucket), incremental
 * (after a full run, new objects among many unchanged ones, against bare listings) and warp.
 * Runs are interleaved (run 1 of every tool, then run 2, ...) so that drifts in the machine's
 * load spread over all tools. A failing run is recorded in its row and the benchmark goes on.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ConnectorRunner } from './connector';
import { addListingObjects, type S3Target } from './generate';
import { runTimed, type Sample } from './measure';
import type { BenchOptions, ListingWorkload, Tool, Workload } from './options';
import type { Peers } from './peers';
import type { Results, Row } from './results';
import { runWarp } from './warp';

/** What every section needs. */
export interface SuiteContext {
  opts: BenchOptions;
  root: string;
  bin: string;
  target: S3Target;
  admin: S3Client;
  srcBucket: string;
  dstBucket: string;
  serverPids: number[];
  peers: Peers;
  connector: ConnectorRunner;
  results: Results;
  /** The dataset store of the last s3-connector import of each workload (exports start from it). */
  datasets: Map<string, string>;
  log: (line: string) => void;
  save: () => void;
}

async function countKeys(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  let keys = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys += page.KeyCount ?? 0;
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

function newRow(ctx: SuiteContext, row: Omit<Row, 'runs'>): Row {
  const full = { ...row, runs: [] };
  ctx.results.rows.push(full);
  return full;
}

/** Runs `measure` into `row`; a failure is recorded and stops that row's later runs. */
async function attempt(ctx: SuiteContext, row: Row, measure: () => Promise<Sample>): Promise<void> {
  if (row.error) return;
  try {
    const s = await measure();
    row.runs.push({ wallSeconds: s.wallSeconds, cpuSeconds: s.cpuSeconds, peakRssBytes: s.peakRssBytes, serverCpuSeconds: s.serverCpuSeconds });
  } catch (err) {
    row.error = `failed: ${(err as Error).message.split('\n')[0]!.slice(0, 300)}`;
    ctx.log(`  ${row.section} ${row.workload} ${row.tool}: ${row.error}`);
  }
}

/** Whether `tool`'s program is installed (peers) or built (s3-connector). */
export function missingTool(ctx: SuiteContext, tool: Tool): string | undefined {
  if (tool === 's3-connector') return existsSync(join(ctx.root, 'dist', 'client', 'cli.js')) ? undefined : 'not built: run npm run build';
  const name = tool === 'aws-cli' ? 'aws' : tool;
  return existsSync(join(ctx.bin, name)) ? undefined : `not installed: run bash bench/install-peers.sh`;
}

/** Imports `w` into a fresh dataset store (s3-connector) or local folder (peers). */
export async function importSuite(ctx: SuiteContext, w: Workload): Promise<void> {
  const rows = ctx.opts.tools.map((tool) => newRow(ctx, {
    section: 'import', workload: w.name, workloadLabel: w.label, tool, objects: w.count, bytes: w.count * w.size, error: missingTool(ctx, tool),
  }));
  for (let run = 1; run <= ctx.opts.runs; run++) {
    for (const row of rows) {
      const tool = row.tool as Tool;
      const out = join(ctx.opts.workDir, 'out', `import-${w.name}-${tool}-${run}`);
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out, { recursive: true });
      await attempt(ctx, row, async () => {
        if (tool === 's3-connector') {
          const config = ctx.connector.writeConfig({
            datasetStore: out, sources: { src: { bucket: ctx.srcBucket, prefix: w.prefix } },
            syncs: { [w.name]: { source: 'src', dataset: w.name, mode: 'bulk' } },
          }, `import-${w.name}-${run}`);
          const { sample, result } = await ctx.connector.run<{ filesAdded: number }>(config, 'bulkImport', w.name, { source: 'src', dataset: w.name });
          if (result.filesAdded !== w.count) throw new Error(`imported ${result.filesAdded} files, expected ${w.count}`);
          const previous = ctx.datasets.get(w.name);
          if (previous) rmSync(previous, { recursive: true, force: true });
          ctx.datasets.set(w.name, out);
          return sample;
        }
        const cmd = ctx.peers.download(tool, ctx.srcBucket, w.prefix, out);
        const sample = await runTimed(cmd.command, cmd.args, { env: cmd.env, serverPids: ctx.serverPids, timeFile: `${out}.time` });
        const files = readdirSync(out).length;
        if (files !== w.count) throw new Error(`downloaded ${files} files, expected ${w.count}`);
        return sample;
      });
      if (tool !== 's3-connector') rmSync(out, { recursive: true, force: true });
    }
  }
  ctx.save();
}

/** Whether the built worker registers the fileExport workflow. */
export function exportAvailable(root: string): boolean {
  const index = join(root, 'dist', 'workflows', 'index.js');
  return existsSync(join(root, 'dist', 'workflows', 'file-export.js')) && existsSync(index) && readFileSync(index, 'utf8').includes('file-export');
}

/** Exports `w`: the dataset of an s3-connector import (s3-connector) or the generated local files (peers). */
export async function exportSuite(ctx: SuiteContext, w: Workload): Promise<void> {
  const available = exportAvailable(ctx.root);
  const localDir = join(ctx.opts.workDir, 'gen', w.name);
  const rows = ctx.opts.tools.map((tool) => newRow(ctx, {
    section: 'export', workload: w.name, workloadLabel: w.label, tool, objects: w.count, bytes: w.count * w.size,
    error: tool === 's3-connector' && !available ? 'TODO: fileExport not available' : missingTool(ctx, tool),
  }));
  const connectorRow = rows.find((r) => r.tool === 's3-connector' && !r.error);
  if (connectorRow && !ctx.datasets.has(w.name)) {
    // Exports start from a dataset: land one (not measured) when the import section did not.
    const store = join(ctx.opts.workDir, 'out', `dataset-${w.name}`);
    const config = ctx.connector.writeConfig({ datasetStore: store, sources: { src: { bucket: ctx.srcBucket, prefix: w.prefix } },
      syncs: { [w.name]: { source: 'src', dataset: w.name, mode: 'bulk' } } }, `dataset-${w.name}`);
    await ctx.connector.run(config, 'bulkImport', w.name, { source: 'src', dataset: w.name });
    ctx.datasets.set(w.name, store);
  }
  for (let run = 1; run <= ctx.opts.runs; run++) {
    for (const row of rows) {
      const tool = row.tool as Tool;
      const prefix = `export-${w.name}-${tool}-${run}/`;
      await attempt(ctx, row, async () => {
        let sample: Sample;
        if (tool === 's3-connector') {
          const job = `export-${w.name}`;
          const config = ctx.connector.writeConfig({
            datasetStore: ctx.datasets.get(w.name)!, sources: { out: { bucket: ctx.dstBucket, prefix, exports: true } },
            exports: { [job]: { source: 'out', dataset: w.name } },
          }, `export-${w.name}-${run}`);
          const measured = await ctx.connector.run<{ filesExported: number }>(config, 'fileExport', job, { source: 'out', dataset: w.name });
          if (measured.result.filesExported !== w.count) throw new Error(`exported ${measured.result.filesExported} files, expected ${w.count}`);
          sample = measured.sample;
        } else {
          const cmd = ctx.peers.upload(tool, localDir, ctx.dstBucket, prefix);
          sample = await runTimed(cmd.command, cmd.args, { env: cmd.env, serverPids: ctx.serverPids, timeFile: join(ctx.opts.workDir, 'out', `${prefix.slice(0, -1)}.time`) });
        }
        const keys = await countKeys(ctx.admin, ctx.dstBucket, prefix);
        if (keys !== w.count) throw new Error(`${keys} objects below ${prefix}, expected ${w.count}`);
        return sample;
      });
      const rm = ctx.peers.remove(ctx.dstBucket, prefix);
      await runTimed(rm.command, rm.args, { env: rm.env, serverPids: [], timeFile: join(ctx.opts.workDir, 'out', 'rm.time') }).catch(() => undefined);
    }
  }
  ctx.save();
}

/** A full incremental run over `l`, then per run: `l.added` new objects, the incremental run, and the bare listings. */
export async function incrementalSuite(ctx: SuiteContext, l: ListingWorkload): Promise<void> {
  const label = `${l.count.toLocaleString('en-US')} unchanged + ${l.added} new`;
  const base = { section: 'incremental' as const, workload: l.name, workloadLabel: label, objects: l.count + l.added, bytes: (l.count + l.added) * l.bodySize };
  const connectorMissing = missingTool(ctx, 's3-connector');
  const initial = newRow(ctx, { ...base, workloadLabel: `${l.count.toLocaleString('en-US')} objects`, objects: l.count, bytes: l.count * l.bodySize,
    tool: 's3-connector', note: 'initial full run', error: connectorMissing });
  const incremental = newRow(ctx, { ...base, tool: 's3-connector', error: connectorMissing });
  const s5cmdLs = newRow(ctx, { ...base, tool: 's5cmd ls', error: missingTool(ctx, 's5cmd') });
  const sdkList = newRow(ctx, { ...base, tool: 'SDK ListObjectsV2' });
  const store = join(ctx.opts.workDir, 'out', 'incremental-store');
  rmSync(store, { recursive: true, force: true });
  const config = ctx.connector.writeConfig({ datasetStore: store, sources: { src: { bucket: ctx.srcBucket, prefix: l.prefix } },
    syncs: { listing: { source: 'src', dataset: 'listing', mode: 'incremental' } } }, 'incremental');
  const sync = async (expected: number) => {
    const { sample, result } = await ctx.connector.run<{ filesAdded: number }>(config, 'incrementalSync', 'listing', { source: 'src', dataset: 'listing' });
    if (result.filesAdded !== expected) throw new Error(`landed ${result.filesAdded} files, expected ${expected}`);
    return sample;
  };
  await attempt(ctx, initial, () => sync(l.count));
  if (initial.error) incremental.error = 'the initial full run failed';
  for (let run = 1; run <= ctx.opts.runs; run++) {
    await addListingObjects(ctx.admin, ctx.srcBucket, l, run);
    const total = l.count + run * l.added;
    await attempt(ctx, incremental, () => sync(l.added));
    await attempt(ctx, s5cmdLs, async () => {
      const cmd = ctx.peers.list(ctx.srcBucket, l.prefix);
      const r = await runTimed(cmd.command, cmd.args, { env: cmd.env, serverPids: ctx.serverPids, timeFile: join(ctx.opts.workDir, 'out', 'ls.time') });
      if (r.stdoutLines !== total) throw new Error(`listed ${r.stdoutLines} keys, expected ${total}`);
      return r;
    });
    await attempt(ctx, sdkList, async () => {
      const r = await runTimed(process.execPath, [join(ctx.root, 'bench', 'list-sdk.mjs'), ctx.target.endpoint, ctx.srcBucket, l.prefix], {
        env: { AWS_ACCESS_KEY_ID: ctx.target.accessKeyId, AWS_SECRET_ACCESS_KEY: ctx.target.secretAccessKey }, cwd: ctx.root,
        serverPids: ctx.serverPids, timeFile: join(ctx.opts.workDir, 'out', 'list-sdk.time'),
      });
      if (Number(r.stdout.trim()) !== total) throw new Error(`listed ${r.stdout.trim()} keys, expected ${total}`);
      return r;
    });
  }
  ctx.save();
}

/** warp GET and PUT for each workload's object size; at most one stream per object of the workload. */
export async function warpSuite(ctx: SuiteContext): Promise<void> {
  if (!existsSync(join(ctx.bin, 'warp'))) {
    ctx.results.notes.push('warp not installed (run bash bench/install-peers.sh): no upper bound measured');
    return;
  }
  for (const w of ctx.opts.workloads) {
    const concurrency = Math.min(ctx.opts.concurrency, w.count);
    for (const op of ['get', 'put'] as const) {
      try {
        const result = await runWarp({
          bin: ctx.bin, target: ctx.target, op, objectSize: w.size, concurrency, seconds: ctx.opts.warpSeconds,
          objectCount: Math.min(w.count, w.size <= 1024 ** 2 ? 2500 : concurrency), workDir: join(ctx.opts.workDir, 'out'), serverPids: ctx.serverPids,
        });
        ctx.results.warp.push({ ...result, workload: w.name });
        ctx.log(`  warp ${op} ${w.name}: ${(result.bytesPerSecond / 1e6).toFixed(1)} MB/s, ${result.objectsPerSecond.toFixed(0)} obj/s`);
      } catch (err) {
        ctx.results.notes.push(`warp ${op} ${w.name} failed: ${(err as Error).message.split('\n')[0]}`);
      }
    }
  }
  ctx.save();
}
