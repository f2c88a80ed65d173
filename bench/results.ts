/**
 * The benchmark's results: rows of measured runs and their medians, warp's upper bounds, and the
 * figures derived from them (rates, ratios). Pure: no I/O.
 */
import { medianSample, type Sample } from './measure';
import type { WarpResult } from './warp';

/** One tool on one workload of one section, with its runs. */
export interface Row {
  section: 'import' | 'export' | 'incremental';
  workload: string;
  workloadLabel: string;
  tool: string;
  objects: number;
  bytes: number;
  runs: Sample[];
  /** Why there are no runs, or what failed. */
  error?: string;
  /** Extra words for the table, e.g. "initial full run". */
  note?: string;
}

/** Everything one benchmark produced. */
export interface Results {
  mode: string;
  startedAt: string;
  finishedAt?: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; loadBefore: number[]; loadAfter?: number[] };
  concurrency: number;
  runsPerCell: number;
  versions: Record<string, string>;
  integrity: Record<string, { import: string; export: string }>;
  rows: Row[];
  warp: Array<WarpResult & { workload: string }>;
  notes: string[];
}

/** Median figures of a row, with its rates. */
export interface Figures extends Sample {
  objectsPerSecond: number;
  mbPerSecond: number;
}

/** The medians of `row` and its rates, or undefined when it has no runs. */
export function figures(row: Row): Figures | undefined {
  if (!row.runs.length) return undefined;
  const m = medianSample(row.runs);
  return { ...m, objectsPerSecond: row.objects / m.wallSeconds, mbPerSecond: row.bytes / 1e6 / m.wallSeconds };
}

/** warp's figure matching a row: GET for imports, PUT for exports. */
export function warpFor(results: Results, row: Row): (WarpResult & { workload: string }) | undefined {
  const op = row.section === 'import' ? 'get' : row.section === 'export' ? 'put' : undefined;
  return results.warp.find((w) => w.workload === row.workload && w.op === op);
}

/** Row throughput divided by warp's (objects/s for equal object sizes, so the same as MB/s). */
export function ratioToWarp(results: Results, row: Row): number | undefined {
  const f = figures(row);
  const w = warpFor(results, row);
  return f && w ? f.mbPerSecond / (w.bytesPerSecond / 1e6) : undefined;
}

/** The row of `tool` in `section` for `workload` (not a noted extra such as the initial full run). */
export function rowOf(results: Results, section: Row['section'], workload: string, tool: string): Row | undefined {
  return results.rows.find((r) => r.section === section && r.workload === workload && r.tool === tool && !r.note);
}

/**
 * s3-connector's throughput divided by `peer`'s for one section and workload (> 1: s3-connector
 * is faster); for incremental rows, the connector's wall time divided by the listing's (< 1.5
 * is the target).
 */
export function connectorRatio(results: Results, section: Row['section'], workload: string, peer: string): number | undefined {
  const ours = rowOf(results, section, workload, 's3-connector');
  const theirs = rowOf(results, section, workload, peer);
  const a = ours && figures(ours);
  const b = theirs && figures(theirs);
  if (!a || !b) return undefined;
  return section === 'incremental' ? a.wallSeconds / b.wallSeconds : a.mbPerSecond / b.mbPerSecond;
}

/** One check of the targets. */
export interface TargetCheck {
  target: string;
  value: string;
  met: boolean | undefined;
}

/** The tuning targets of issue 6, evaluated on `results` (undefined: not measured). */
export function targetChecks(results: Results): TargetCheck[] {
  const fmt = (n: number | undefined) => (n === undefined ? 'n/a' : `${n.toFixed(2)}×`);
  const checks: TargetCheck[] = [];
  const peers = ['s5cmd', 'rclone', 'aws-cli'];
  const best = (section: Row['section'], workload: string) => {
    const ratios = peers.map((p) => connectorRatio(results, section, workload, p)).filter((r): r is number => r !== undefined);
    return ratios.length ? Math.min(...ratios) : undefined;
  };
  const small = best('import', 'small');
  checks.push({ target: 'small-object import ≥ the fastest peer', value: `${fmt(small)} the fastest peer`, met: small === undefined ? undefined : small >= 1 });
  const large = connectorRatio(results, 'import', 'large', 's5cmd');
  checks.push({ target: 'large-object import ≥ 0.9× s5cmd MB/s', value: `${fmt(large)} s5cmd`, met: large === undefined ? undefined : large >= 0.9 });
  for (const w of ['small', 'medium', 'large']) {
    const r = connectorRatio(results, 'export', w, 'rclone');
    checks.push({ target: `export (${w}) ≥ rclone`, value: `${fmt(r)} rclone`, met: r === undefined ? undefined : r >= 1 });
  }
  for (const listing of ['s5cmd ls', 'SDK ListObjectsV2']) {
    const r = connectorRatio(results, 'incremental', 'incremental', listing);
    checks.push({ target: `incremental ≤ 1.5× a bare listing (${listing})`, value: `${fmt(r)} the listing's time`, met: r === undefined ? undefined : r <= 1.5 });
  }
  const rss = results.rows.filter((r) => r.tool === 's3-connector').flatMap((r) => r.runs.map((s) => s.peakRssBytes));
  const peak = rss.length ? Math.max(...rss) : undefined;
  checks.push({ target: 'worker peak RSS ≤ 256 MB in every workload', value: peak === undefined ? 'n/a' : `${(peak / 1e6).toFixed(0)} MB max`, met: peak === undefined ? undefined : peak <= 256e6 });
  return checks;
}
