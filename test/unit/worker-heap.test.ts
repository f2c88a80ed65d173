import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { limitHeapGrowth } from '../../worker/heap';

/**
 * Peak V8 heap (MiB) of a fresh node process that applies limitHeapGrowth(percent) and then
 * churns a rolling window of ~30 MB of live objects, each replaced after surviving a few
 * collections: the shape of a worker's listing pages and index lines.
 */
function churnPeakMiB(percent: number): number {
  const script = `
    require(${JSON.stringify(resolve(__dirname, '../../worker/heap.ts'))}).limitHeapGrowth(${percent});
    const v8 = require('node:v8');
    const window = new Array(300).fill(null);
    let peak = 0;
    for (let i = 0; i < 6000; i++) {
      window[i % window.length] = Array.from({ length: 1000 }, (_, j) => ({ i, j, s: 'k/' + i + '/' + j }));
      if (i % 50 === 0) peak = Math.max(peak, v8.getHeapStatistics().total_heap_size);
    }
    process.stdout.write(String(Math.round(peak / 2 ** 20)));`;
  return Number(execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { encoding: 'utf8' }));
}

describe('worker heap growth', () => {
  it('holds the heap of a churning process at 50% to well under what the adaptive growth of V8 lets it reach', () => {
    const adaptive = churnPeakMiB(0);
    const limited = churnPeakMiB(50);
    // Measured here: 168-169 MiB with V8's adaptive growth, 93 MiB at 50%.
    expect(limited).toBeLessThan(adaptive * 0.75);
    expect(limited).toBeGreaterThan(30); // the live window itself is still there
  }, 60_000);

  it('refuses a growth that is not a whole percentage, naming the fix', () => {
    expect(() => limitHeapGrowth(-1)).toThrow(/heap growing percent -1 is not a whole number from 0 to 1000\. Fix: use 0 \(the default/);
    expect(() => limitHeapGrowth(12.5)).toThrow(/not a whole number/);
  });
});
