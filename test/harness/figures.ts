/**
 * Measured figures (rates, peak memory) that tests record for the closing notes and the
 * README. Tests never assert on wall-clock figures; they only write them down.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { testEnv } from './test-env';

/** Appends one figure as a JSON line to `<run dir>/figures.jsonl` and prints it. */
export function recordFigure(name: string, value: number, unit: string): void {
  const line = JSON.stringify({ name, value: Number(value.toFixed(2)), unit, at: new Date().toISOString() });
  appendFileSync(join(testEnv().runDir, 'figures.jsonl'), `${line}\n`);
  process.stderr.write(`figure: ${name} = ${value.toFixed(2)} ${unit}\n`);
}
