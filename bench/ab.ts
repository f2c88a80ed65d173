/**
 * A/B of worker settings: the same s3-connector workloads, run alternately on workers started
 * with node flags A and B, in one process and on one MinIO, so that drifts in this shared
 * machine's speed fall on both sides (cross-run CPU figures here moved by 25-50% between runs).
 *
 *   npx tsx bench/ab.ts --b-args "--heap-growing-percent 0" [--a "node flags"] [--b "node flags"]
 *       [--a-args "worker options"] [--pairs 3] [--listing 100000] [--no-small] [--export-medium]
 *
 * Small: bulk imports of 10,000 × 4 KiB into fresh stores. Export medium: 200 × 8 MiB exported
 * from one dataset to fresh prefixes. Incremental: one initial full run per side (fresh store),
 * then `pairs` runs over the unchanged listing. Prints medians and every run: wall s, worker CPU
 * s, peak RSS MiB. Needs `npm run build` first (it runs dist/).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startMinio } from '../devservers/minio';
import { startTemporalDevServer } from '../devservers/temporal-dev';
import { ConnectorRunner } from './connector';
import { adminClient, ensureBucket, generateListing, generateWorkload, type S3Target } from './generate';
import { median, type Sample } from './measure';
import { workloadsOf } from './options';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? fallback : fallback;
}

/** Runs `run` for each side `pairs` times, A first in odd pairs and B first in even ones. */
async function alternate(pairs: number, run: (side: 'A' | 'B', pair: number) => Promise<void>): Promise<void> {
  for (let pair = 1; pair <= pairs; pair++) {
    for (const side of pair % 2 ? (['A', 'B'] as const) : (['B', 'A'] as const)) await run(side, pair);
  }
}
const show = (s: Sample) => `${s.wallSeconds.toFixed(2)} s, CPU ${s.cpuSeconds.toFixed(2)} s, RSS ${(s.peakRssBytes / 2 ** 20).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const words = (name: string) => arg(name, '').split(' ').filter(Boolean);
  const sides = { A: words('a'), B: words('b') };
  const args = { A: words('a-args'), B: words('b-args') };
  const pairs = Number(arg('pairs', '3'));
  const listingCount = Number(arg('listing', '100000'));
  const root = resolve(__dirname, '..');
  const work = resolve(root, '.run', 'bench-ab');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const [minio, temporal] = await Promise.all([startMinio({ dataDir: join(work, 'minio'), logDir: work }), startTemporalDevServer({ logDir: work, headless: true })]);
  const connection = await Connection.connect({ address: temporal.address });
  try {
    const target: S3Target = { endpoint: minio.endpoint, accessKeyId: minio.rootUser, secretAccessKey: minio.rootPassword };
    const admin = adminClient(target);
    await ensureBucket(admin, 'ab-source');
    const { data, listing } = workloadsOf('full');
    const small = data.find((w) => w.name === 'small')!;
    const runner = new ConnectorRunner(new Client({ connection }), temporal.address, target, 16, root, join(work, 'connector'), [minio.child.pid!, temporal.child.pid!]);
    const samples: Record<string, Record<'A' | 'B', Sample[]>> = {};
    const record = (what: string, side: 'A' | 'B', s: Sample) => {
      ((samples[what] ??= { A: [], B: [] })[side]).push(s);
      console.log(`${what} ${side}: ${show(s)}`);
    };
    if (!process.argv.includes('--no-small')) {
      await generateWorkload(admin, 'ab-source', small, join(work, 'gen', 'small'));
      await alternate(pairs, async (side, pair) => {
        const store = join(work, 'out', `small-${side}-${pair}`);
        const config = runner.writeConfig({ datasetStore: store, sources: { src: { bucket: 'ab-source', prefix: small.prefix } },
          syncs: { small: { source: 'src', dataset: 'small', mode: 'bulk' } } }, `small-${side}-${pair}`);
        record('small import', side, (await runner.run(config, 'bulkImport', 'small', { source: 'src', dataset: 'small' }, sides[side], args[side])).sample);
        rmSync(store, { recursive: true, force: true });
      });
    }
    if (process.argv.includes('--export-medium')) {
      const medium = data.find((w) => w.name === 'medium')!;
      await generateWorkload(admin, 'ab-source', medium, join(work, 'gen', 'medium'));
      const store = join(work, 'out', 'medium-dataset');
      await runner.run(runner.writeConfig({ datasetStore: store, sources: { src: { bucket: 'ab-source', prefix: medium.prefix } },
        syncs: { medium: { source: 'src', dataset: 'medium', mode: 'bulk' } } }, 'medium-import'), 'bulkImport', 'medium', { source: 'src', dataset: 'medium' });
      await alternate(pairs, async (side, pair) => {
        const config = runner.writeConfig({ datasetStore: store, sources: { out: { bucket: 'ab-source', prefix: `export-${side}-${pair}/`, exports: true } },
          exports: { 'export-medium': { source: 'out', dataset: 'medium' } } }, `export-${side}-${pair}`);
        record('medium export', side, (await runner.run(config, 'fileExport', 'export-medium', { source: 'out', dataset: 'medium' }, sides[side], args[side])).sample);
      });
    }
    if (listingCount > 0) {
      const l = { ...listing, count: listingCount };
      await generateListing(admin, 'ab-source', l);
      const configs = { A: '', B: '' };
      for (const side of ['A', 'B'] as const) {
        configs[side] = runner.writeConfig({ datasetStore: join(work, 'out', `listing-${side}`), sources: { src: { bucket: 'ab-source', prefix: l.prefix } },
          syncs: { listing: { source: 'src', dataset: 'listing', mode: 'incremental' } } }, `listing-${side}`);
        record('incremental, initial', side, (await runner.run(configs[side], 'incrementalSync', 'listing', { source: 'src', dataset: 'listing' }, sides[side], args[side])).sample);
      }
      await alternate(pairs, async (side) => {
        record('incremental, unchanged', side, (await runner.run(configs[side], 'incrementalSync', 'listing', { source: 'src', dataset: 'listing' }, sides[side], args[side])).sample);
      });
    }
    console.log(`\nA: node ${sides.A.join(' ') || '(no flags)'} worker ${args.A.join(' ')}\nB: node ${sides.B.join(' ') || '(no flags)'} worker ${args.B.join(' ')}\n`);
    console.log('| workload | side | runs | wall s | worker CPU s | peak RSS MiB |\n|---|---|---:|---:|---:|---:|');
    for (const [what, bySide] of Object.entries(samples)) {
      for (const side of ['A', 'B'] as const) {
        const runs = bySide[side];
        console.log(`| ${what} | ${side} | ${runs.length} | ${median(runs.map((s) => s.wallSeconds)).toFixed(2)} | ${median(runs.map((s) => s.cpuSeconds)).toFixed(2)} | ${(Math.max(...runs.map((s) => s.peakRssBytes)) / 2 ** 20).toFixed(0)} |`);
      }
    }
  } finally {
    await connection.close();
    await Promise.all([minio.stop(), temporal.stop()]);
    // Exports leave gigabytes in MinIO's folder: a full disk made the next benchmark's exports fail.
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
