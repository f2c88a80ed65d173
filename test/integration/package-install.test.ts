/**
 * The package installs: `npm pack` of this checkout, then `npm install -g` of the tarball into a
 * temporary prefix, gives a working `s3-connector` and importable entry points. The tarball is
 * packed from the build that the test command's setup made (--ignore-scripts: `prepack` would
 * rebuild dist/ under the other suites that run it). Dependencies come from npm's cache where it
 * has them (--prefer-offline), else from the registry.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

interface Run { code: number; stdout: string; stderr: string }

/** Runs a command with npm's own variables of the outer `npm test` removed from its environment. */
function run(command: string, args: string[], cwd: string): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return new Promise((ok, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', fail);
    child.once('close', (code) => ok({ code: code ?? -1, stdout, stderr }));
  });
}

describe('the npm package', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'package-install-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('packs, installs with npm install -g and runs as s3-connector', async () => {
    const packDir = join(dir, 'pack');
    mkdirSync(packDir);
    const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], root);
    expect({ code: pack.code, stderr: pack.code === 0 ? '' : pack.stderr }).toEqual({ code: 0, stderr: '' });
    const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const files = packed!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['bin/s3-connector.js', 'dist/client/cli.js', 'dist/client/cli.d.ts', 'dist/workflow-bundle.js', 'package.json', 'README.md']));
    // Only the build, the launcher and the documentation: no sources, tests or tools.
    expect(files.filter((f) => !/^(dist|bin|docs)\/|^(package\.json|README\.md|LICENSE)$/.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
    const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'))!;

    const prefix = join(dir, 'prefix');
    const install = await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(packDir, tarball)], dir);
    expect({ code: install.code, stderr: install.code === 0 ? '' : install.stderr }).toEqual({ code: 0, stderr: '' });
    const bin = join(prefix, 'bin', 's3-connector');

    const help = await run(bin, ['--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: s3-connector');
    for (const command of ['check', 'sync', 'export', 'worker', 'datasets']) expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));

    const workerHelp = await run(bin, ['worker', '--help'], dir);
    expect(workerHelp.code).toBe(0);
    expect(workerHelp.stdout).toContain('Usage: s3-connector worker');

    // A command loads and validates the config, from the installed copy.
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, 'sources:\n  landing:\n    url: s3://landing-bucket/\n');
    const check = await run(bin, ['check', 'landing', '--direct', '--config', config], dir);
    expect(check.code).not.toBe(0);
    expect(check.stderr).toContain(`invalid config ${config}:`);
    expect(check.stderr).toContain('- sources.landing.endpoint: is required. Fix:');
    expect(check.stderr).toContain('- sources.landing.credentials: is required.');

    // The exports map: the CLI, the worker (which loads Temporal's native core) and the config
    // loader, resolved from beside the installed package as a dependent would.
    const load = await run(process.execPath, ['-e', `
      const cli = require('s3-connector');
      const worker = require('s3-connector/worker');
      const config = require('s3-connector/config');
      console.log([typeof cli.main, typeof worker.createConnectorWorker, typeof config.loadConfig].join(' '));`], join(prefix, 'lib'));
    expect({ code: load.code, stdout: load.stdout.trim(), stderr: load.code === 0 ? '' : load.stderr }).toEqual({ code: 0, stdout: 'function function function', stderr: '' });
  }, 300_000);
});
