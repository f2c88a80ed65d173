import { LAUNCHER_HEAP_FLAGS, limitHeapGrowth, memorySettings } from '../../worker/heap';

/** Node flags bin/s3-connector.js starts the worker with. */
const LAUNCHER = [`--heap-growing-percent=${LAUNCHER_HEAP_FLAGS.heapGrowingPercent}`, `--initial-old-space-size=${LAUNCHER_HEAP_FLAGS.initialOldSpaceMiB}`,
  `--max-semi-space-size=${LAUNCHER_HEAP_FLAGS.maxSemiSpaceMiB}`];

describe('worker heap settings', () => {
  it('refuses a growth that is not a whole percentage, naming the fix', () => {
    expect(() => limitHeapGrowth(-1)).toThrow(/heap growing percent -1 is not a whole number from 0 to 1000\. Fix: use 50 \(the launcher's\), or 0/);
    expect(() => limitHeapGrowth(12.5)).toThrow(/not a whole number/);
  });

  it('reports the memory settings from node flags and the environment, the last flag and the worker option winning', () => {
    expect(memorySettings([], {})).toEqual({ mallocArenaMax: 'default', heapGrowingPercent: 0, initialOldSpaceMiB: 0, maxSemiSpaceMiB: 0 });
    expect(memorySettings([...LAUNCHER, '--heap_growing_percent=0'], { MALLOC_ARENA_MAX: '2' }))
      .toEqual({ mallocArenaMax: '2', heapGrowingPercent: 0, initialOldSpaceMiB: 80, maxSemiSpaceMiB: 4 });
    expect(memorySettings(LAUNCHER, {}, 25)).toEqual({ mallocArenaMax: 'default', heapGrowingPercent: 25, initialOldSpaceMiB: 80, maxSemiSpaceMiB: 4 });
  });
});
