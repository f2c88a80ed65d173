/**
 * Where the worker's time goes: one more import of a workload on a worker run under
 * `node --cpu-prof`, and a summary of its profiles (one per thread) cut to the workflow's run:
 * self time per package, inclusive time of s3-connector's functions, the top functions by self
 * time. Written to <results>/profile-<workload>.md.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Workload } from './options';
import type { SuiteContext } from './suites';

/** The parts of a V8 .cpuprofile the summary reads. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Self time (µs) by function and by package, and inclusive time of s3-connector's own functions, over the samples inside [startUs, endUs]. */
export interface ProfileSummary {
  totalUs: number;
  byFunction: Map<string, number>;
  byPackage: Map<string, number>;
  inclusiveOwn: Map<string, number>;
}

/** The package (or area) a script URL belongs to. */
export function packageOf(url: string, root: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node: internals';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + 14).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (path.startsWith(root)) return `s3-connector: ${relative(root, path).replace(/^dist\//, '').split('/')[0]}`;
  return path;
}

/** Adds the samples of `profile` taken inside [startUs, endUs] (all of them when none fall inside) to `into`. */
export function summarize(profile: CpuProfile, root: string, window: { startUs: number; endUs: number }, into: ProfileSummary): void {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parents = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n.id);
  const label = (frame: CpuProfile['nodes'][number]['callFrame']) => {
    const where = frame.url ? `${packageOf(frame.url, root)} ${frame.url.split('/').at(-1)}:${frame.lineNumber + 1}` : '';
    return `${frame.functionName || '(anonymous)'}${where ? ` — ${where}` : ''}`;
  };
  const times: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) times.push((t += delta));
  const inside = times.some((at) => at >= window.startUs && at <= window.endUs);
  for (let i = 0; i < profile.samples.length; i++) {
    if (inside && (times[i]! < window.startUs || times[i]! > window.endUs)) continue;
    const frame = nodes.get(profile.samples[i]!);
    if (!frame || frame.functionName === '(idle)') continue;
    const spent = profile.timeDeltas[i + 1] ?? 0;
    const name = label(frame);
    into.totalUs += spent;
    // Inclusive: every distinct s3-connector function on this sample's stack (not the workflow bundle).
    const own = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parents.get(id)) {
      const f = nodes.get(id)!;
      if (f.url && packageOf(f.url, root).startsWith('s3-connector:') && !f.url.endsWith('workflow-bundle.js')) own.add(label(f));
    }
    for (const fn of own) into.inclusiveOwn.set(fn, (into.inclusiveOwn.get(fn) ?? 0) + spent);
    into.byFunction.set(name, (into.byFunction.get(name) ?? 0) + spent);
    const pkg = frame.url ? packageOf(frame.url, root) : frame.functionName === '(garbage collector)' ? '(garbage collector)' : '(native / V8)';
    into.byPackage.set(pkg, (into.byPackage.get(pkg) ?? 0) + spent);
  }
}

function table(title: string, entries: Map<string, number>, total: number, limit: number, kind = 'self'): string[] {
  const rows = [...entries].sort((a, b) => b[1] - a[1]).slice(0, limit);
  return [`### ${title}`, '', `| ${kind} ms | % | where |`, '|---:|---:|---|',
    ...rows.map(([name, us]) => `| ${(us / 1000).toFixed(0)} | ${((100 * us) / total).toFixed(1)} | ${name.replace(/\|/g, '\\|')} |`), ''];
}

/** Profiles one import of `w` (not counted in the results) and writes the summary; returns its path. */
export async function profileImport(ctx: SuiteContext, w: Workload): Promise<string> {
  const dir = join(ctx.opts.workDir, `profile-${w.name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const store = join(ctx.opts.workDir, 'out', 'profile-store');
  const config = ctx.connector.writeConfig({ datasetStore: store, sources: { src: { bucket: ctx.srcBucket, prefix: w.prefix } },
    syncs: { [w.name]: { source: 'src', dataset: w.name, mode: 'bulk' } } }, 'profile');
  const { sample, window } = await ctx.connector.run(config, 'bulkImport', w.name, { source: 'src', dataset: w.name }, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  rmSync(store, { recursive: true, force: true });
  const summary: ProfileSummary = { totalUs: 0, byFunction: new Map(), byPackage: new Map(), inclusiveOwn: new Map() };
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  for (const file of files) summarize(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, ctx.root, window, summary);
  const out = join(ctx.opts.resultsDir, `profile-${w.name}.md`);
  mkdirSync(ctx.opts.resultsDir, { recursive: true });
  writeFileSync(out, [
    `# Where the worker's time goes: import of ${w.label} (${ctx.opts.mode})`, '',
    `One bulkImport on a worker under \`node --cpu-prof\` (${files.length} profile(s), one per thread), cut to the workflow's run: `
      + `${sample.wallSeconds.toFixed(2)} s wall, ${sample.cpuSeconds.toFixed(2)} s worker CPU (profiler on), `
      + `${(summary.totalUs / 1e6).toFixed(2)} s of non-idle samples. Self time: time in the function itself, not its callees. `
      + `Inclusive times undercount async code: a continuation after an await runs from the microtask queue, without its caller on the stack. `
      + `Profiles (open in Chrome DevTools or speedscope): ${dir}.`, '',
    ...table('Self time by package', summary.byPackage, summary.totalUs, 25),
    ...table('s3-connector functions by inclusive time (themselves and everything they call)', summary.inclusiveOwn, summary.totalUs, 20, 'incl.'),
    ...table('Top functions by self time', summary.byFunction, summary.totalUs, 40),
  ].join('\n'));
  return out;
}
