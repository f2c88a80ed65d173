/**
 * Running the built CLI when stdout is bytes rather than text (`datasets cat`).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The result of a CLI run, stdout kept as raw bytes. */
export interface CliBytesResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs the built CLI (bin/s3-connector.js) with `args`, keeping stdout as bytes. */
export function runCliBytes(args: string[], env: Record<string, string> = {}): Promise<CliBytesResult> {
  const bin = resolve(__dirname, '..', '..', 'bin', 's3-connector.js');
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => ok({ code: code ?? -1, stdout: Buffer.concat(chunks), stderr }));
  });
}
