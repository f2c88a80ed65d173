/**
 * Command-line options of the benchmark and the workloads of each mode (full, --smoke, --tiny).
 * Pure: no I/O.
 */

/** One data workload: `count` objects of `size` bytes below `prefix`. */
export interface Workload {
  name: 'small' | 'medium' | 'large';
  label: string;
  prefix: string;
  count: number;
  size: number;
}

/** The listing workload: a bucket prefix of `count` tiny objects, `added` new ones per incremental run. */
export interface ListingWorkload {
  name: 'incremental';
  prefix: string;
  count: number;
  added: number;
  bodySize: number;
}

/** The tools that can take part. */
export const TOOLS = ['s3-connector', 's5cmd', 'rclone', 'aws-cli'] as const;
/** A tool of the benchmark. */
export type Tool = (typeof TOOLS)[number];

/** Parsed options. */
export interface BenchOptions {
  mode: 'full' | 'smoke' | 'tiny';
  runs: number;
  concurrency: number;
  workloads: Workload[];
  listing?: ListingWorkload;
  tools: Tool[];
  /** Also benchmark exports (dataset/local folder -> bucket). */
  exports: boolean;
  /** Seconds per warp run; 0 skips warp. */
  warpSeconds: number;
  /** Profile the worker (node --cpu-prof) during one extra small- and large-object import each. */
  profile: boolean;
  /** Write the chart PNG. */
  chart: boolean;
  /** Where state (servers' data, generated files, downloads) lives; emptied first. Results go to resultsDir. */
  workDir: string;
  resultsDir: string;
}

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

const SIZES: Record<BenchOptions['mode'], { small: number; medium: number; large: number; largeSize: number; listing: number; added: number }> = {
  full: { small: 10_000, medium: 200, large: 2, largeSize: GiB, listing: 100_000, added: 100 },
  smoke: { small: 200, medium: 4, large: 1, largeSize: 16 * MiB, listing: 2_000, added: 20 },
  tiny: { small: 50, medium: 2, large: 1, largeSize: 8 * MiB, listing: 300, added: 5 },
};

/** The workloads of `mode`. */
export function workloadsOf(mode: BenchOptions['mode']): { data: Workload[]; listing: ListingWorkload } {
  const s = SIZES[mode];
  const medium = mode === 'tiny' ? MiB : 8 * MiB;
  return {
    data: [
      { name: 'small', label: `${s.small.toLocaleString('en-US')} × 4 KiB`, prefix: 'small/', count: s.small, size: 4 * KiB },
      { name: 'medium', label: `${s.medium} × ${medium / MiB} MiB`, prefix: 'medium/', count: s.medium, size: medium },
      { name: 'large', label: `${s.large} × ${s.largeSize >= GiB ? `${s.largeSize / GiB} GiB` : `${s.largeSize / MiB} MiB`}`, prefix: 'large/', count: s.large, size: s.largeSize },
    ],
    listing: { name: 'incremental', prefix: 'listing/', count: s.listing, added: s.added, bodySize: 16 },
  };
}

const USAGE = `usage: npx tsx bench/run.ts [--smoke | --tiny] [--runs N] [--concurrency N] [--only small,medium,large,incremental]
       [--tools s3-connector,s5cmd,rclone,aws-cli] [--no-exports] [--warp-seconds S] [--profile] [--no-chart] [--results DIR] [--work-dir DIR]`;

/**
 * Parses argv (without node and the script).
 * @throws Error with the usage on an unknown flag or a bad value.
 */
export function parseOptions(argv: string[], root: string): BenchOptions {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}\n${USAGE}`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const takesValue = ['runs', 'concurrency', 'only', 'tools', 'warp-seconds', 'results', 'work-dir'].includes(name);
    if (takesValue) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value\n${USAGE}`);
      flags.set(name, value);
    } else if (['smoke', 'tiny', 'no-exports', 'profile', 'no-chart', 'help'].includes(name)) {
      flags.set(name, true);
    } else {
      throw new Error(`unknown option --${name}\n${USAGE}`);
    }
  }
  if (flags.has('help')) throw new Error(USAGE);
  const mode: BenchOptions['mode'] = flags.has('tiny') ? 'tiny' : flags.has('smoke') ? 'smoke' : 'full';
  const int = (name: string, fallback: number) => {
    const raw = flags.get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number, not ${String(raw)}`);
    return n;
  };
  const list = (name: string, known: readonly string[]) => {
    const raw = flags.get(name);
    if (raw === undefined) return [...known];
    const items = String(raw).split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = items.filter((s) => !known.includes(s));
    if (unknown.length) throw new Error(`--${name}: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
    return items;
  };
  const { data, listing } = workloadsOf(mode);
  const only = list('only', [...data.map((w) => w.name), listing.name]);
  return {
    mode,
    runs: Math.max(1, Math.round(int('runs', mode === 'full' ? 3 : 1))),
    concurrency: Math.max(1, Math.round(int('concurrency', 16))),
    workloads: data.filter((w) => only.includes(w.name)),
    listing: only.includes('incremental') ? listing : undefined,
    tools: list('tools', TOOLS) as Tool[],
    exports: !flags.has('no-exports'),
    warpSeconds: int('warp-seconds', mode === 'full' ? 15 : mode === 'smoke' ? 3 : 1),
    profile: flags.has('profile'),
    chart: !flags.has('no-chart'),
    workDir: String(flags.get('work-dir') ?? `${root}/.run/bench-${mode}`),
    resultsDir: String(flags.get('results') ?? `${root}/bench/results${mode === 'full' ? '' : `/${mode}`}`),
  };
}
