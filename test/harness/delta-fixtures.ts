/**
 * The delta-kernel-rs golden tables (test/fixtures/delta-kernel-rs/, Apache-2.0) for the Delta
 * reader's unit tests: folders as they are, `.tar.zst` ones unpacked once per test file into a
 * temp folder (Node 24's zlib zstd, then tar); and their expected rows, transcribed from
 * delta-kernel-rs's tests as Arrow's pretty-printed tables, compared with rows rendered the way
 * Arrow prints them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import * as zlib from 'node:zlib';
import type { DeltaType } from '../../tables/delta/schema';
import type { DeltaValue } from '../../tables/delta/values';
import type { DeltaRow } from '../../tables/delta/scan';
import type { DeltaSnapshotInfo } from '../../tables/delta/snapshot';
import { tempDir } from './temp-dir';

const ROOT = join(__dirname, '..', 'fixtures', 'delta-kernel-rs');
let unpacked: string | undefined;

/** The folder of golden table `name`, unpacking its tarball when it ships as one. */
export function goldenTable(name: string): string {
  const dir = join(ROOT, 'data', name);
  if (existsSync(dir)) return dir;
  const tarball = `${dir}.tar.zst`;
  if (!existsSync(tarball)) throw new Error(`no golden table ${name}`);
  unpacked ??= tempDir('delta-golden-');
  const out = join(unpacked, name);
  if (!existsSync(out)) {
    const zstd = (zlib as unknown as { zstdDecompressSync(b: Buffer): Buffer }).zstdDecompressSync;
    execFileSync('tar', ['-x', '-C', unpacked], { input: zstd(readFileSync(tarball)) });
  }
  return out;
}

/** Expected rows of `file` (in expected/): the header's column names and each row's cells. */
export function expectedTable(file: string): { columns: string[]; rows: string[][] } {
  const lines = readFileSync(join(ROOT, 'expected', file), 'utf8').split('\n').filter((l) => l.startsWith('|'));
  const cells = (l: string) => l.split('|').slice(1, -1).map((c) => c.trim());
  const [header, ...rows] = lines.map(cells);
  return { columns: header ?? [], rows };
}

/** Rows rendered as Arrow prints them, as cell lists sorted like the expected table's lines. */
export function renderRows(snapshot: DeltaSnapshotInfo, rows: DeltaRow[], columns: string[]): string[][] {
  const types = columns.map((c) => {
    const field = snapshot.schema.fields.find((f) => f.name === c);
    if (!field) throw new Error(`no column ${c}`);
    return field.type;
  });
  return sortRows(rows.map((row) => columns.map((c, i) => render(types[i] as DeltaType, row[c] ?? null))));
}

/** Sorts rows of cells by their joined text, as assert_batches_sorted_eq sorts lines. */
export function sortRows(rows: string[][]): string[][] {
  return [...rows].sort((a, b) => (a.join('|') < b.join('|') ? -1 : a.join('|') > b.join('|') ? 1 : 0));
}

/** One value as Arrow's pretty printer shows it. */
export function render(type: DeltaType, value: DeltaValue): string {
  if (value === null) return '';
  switch (type.kind) {
    case 'struct': {
      const o = value as Record<string, DeltaValue>;
      return `{${type.fields.map((f) => `${f.name}: ${render(f.type, o[f.name] ?? null)}`).join(', ')}}`;
    }
    case 'array': return `[${(value as DeltaValue[]).map((v) => render(type.elementType, v)).join(', ')}]`;
    case 'map': return `{${[...(value as Map<DeltaValue, DeltaValue>)].map(([k, v]) => `${render(type.keyType, k)}: ${render(type.valueType, v)}`).join(', ')}}`;
    case 'decimal': return value as string;
    case 'primitive':
      switch (type.name) {
        case 'double': return float(value as number, (n) => n);
        case 'float': return float(value as number, Math.fround);
        case 'timestamp': case 'timestamp_ntz': return (value as string).replace(/\.(\d{3})000(Z?)$/, '.$1$2').replace(/\.000(Z?)$/, '$1');
        case 'binary': return Buffer.from(value as Uint8Array).toString('hex');
        default: return String(value);
      }
  }
}

/** The shortest text that reads back as the same float (of the given width), with `.0` when whole. */
function float(n: number, round: (n: number) => number): string {
  let text = String(n);
  for (let p = 1; p <= 17; p++) {
    const t = String(Number(n.toPrecision(p)));
    if (round(Number(t)) === n) {
      text = t;
      break;
    }
  }
  return Number.isInteger(Number(text)) && !text.includes('e') ? `${text}.0` : text;
}

/** Every file below `dir`, as objects to upload with keys below `prefix` (a table put into a bucket as it is on disk). */
export function filesOf(dir: string, prefix: string): Array<{ key: string; body: Uint8Array }> {
  const out: Array<{ key: string; body: Uint8Array }> = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push({ key: `${prefix}${relative(dir, path).split(sep).join('/')}`, body: readFileSync(path) });
    }
  };
  walk(dir);
  return out;
}
