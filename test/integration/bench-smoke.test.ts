/**
 * The benchmark harness keeps working: a tiny run (50 small objects, a 300-object incremental
 * bucket, 1 s of warp) of bench/run.ts on its own MinIO and Temporal server, with every tool.
 * Asserts the report's shape — a row per tool with numeric figures — never the speeds.
 * The peers come from bench/install-peers.sh, which scripts/setup.sh runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TOOLS } from '../../bench/options';
import { figures, type Results } from '../../bench/results';

const root = resolve(__dirname, '..', '..');

function runBench(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'bench', 'run.ts'), ...args], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', fail);
    child.once('close', (code) => ok({ code: code ?? -1, output }));
  });
}

describe('benchmark harness (tiny run)', () => {
  it('writes a results table with a row per tool and numeric figures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    const { code, output } = await runBench(['--tiny', '--only', 'small,incremental', '--warp-seconds', '1', '--results', join(dir, 'results'), '--work-dir', join(dir, 'work')]);
    expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
    const results = JSON.parse(readFileSync(join(dir, 'results', 'results.json'), 'utf8')) as Results;
    const md = readFileSync(join(dir, 'results', 'results.md'), 'utf8');

    for (const section of ['import', 'export'] as const) {
      for (const tool of TOOLS) {
        const row = results.rows.find((r) => r.section === section && r.workload === 'small' && r.tool === tool);
        expect({ section, tool, error: row?.error }).toEqual({ section, tool, error: undefined });
        const f = figures(row!)!;
        for (const value of [f.wallSeconds, f.objectsPerSecond, f.mbPerSecond, f.peakRssBytes]) expect(value).toBeGreaterThan(0);
        for (const value of [f.cpuSeconds, f.serverCpuSeconds]) expect(Number.isFinite(value) && value >= 0).toBe(true);
        expect(md).toMatch(new RegExp(`\\| 50 × 4 KiB \\| ${tool} \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\| \\d+ \\|`));
      }
    }
    for (const tool of ['s3-connector', 's5cmd ls', 'SDK ListObjectsV2']) {
      const row = results.rows.find((r) => r.section === 'incremental' && r.tool === tool && !r.note);
      expect({ tool, error: row?.error }).toEqual({ tool, error: undefined });
      expect(figures(row!)!.wallSeconds).toBeGreaterThan(0);
    }
    expect(results.warp.map((w) => w.op).sort()).toEqual(['get', 'put']);
    for (const w of results.warp) expect(w.bytesPerSecond).toBeGreaterThan(0);
    expect(md).toContain('## Integrity work each tool does');
    expect(existsSync(join(dir, 'results', 'chart.png'))).toBe(true);
  }, 180_000);
});
