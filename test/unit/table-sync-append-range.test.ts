import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appendedFiles, listFrom, NotAnAppendError } from '../../pipelines/append-range';
import { LocalTableStorage } from '../../tables/storage-local';
import { tempDir } from '../harness/temp-dir';

const root = resolve(__dirname, '..', '..');
const python = join(root, '.tools', 'venv', 'bin', 'python');

/** Runs scripts/fixtures/delta_table_sync.py (deltalake 1.6.6) on `dir`. */
function deltalake(...args: string[]): void {
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
  execFileSync(python, [join(root, 'scripts', 'fixtures', 'delta_table_sync.py'), ...args]);
}

/** The appends of versions `from`..latest of the table in `dir`. */
async function appends(dir: string, from: number) {
  const storage = new LocalTableStorage(dir);
  const { listing, latest } = await listFrom(storage, from);
  return { latest, versions: await appendedFiles(storage, 'orders', listing, from, latest) };
}

describe('the appends of a Delta table between versions (table syncs)', () => {
  const dir = join(tempDir('append-range-'), 'orders');
  beforeAll(() => {
    deltalake('append', dir, '0', '30'); // 0: two files (regions eu, us)
    deltalake('append', dir, '30', '10'); // 1
    deltalake('optimize', dir); // 2: compaction, no data change
    deltalake('append', dir, '40', '3'); // 3
    deltalake('update', dir, '5'); // 4
    deltalake('append', dir, '43', '3'); // 5
  });

  it('returns the files each append added, and passes a compaction (dataChange=false) with none', async () => {
    const storage = new LocalTableStorage(dir);
    const { listing } = await listFrom(storage, 1);
    const versions = await appendedFiles(storage, 'orders', listing, 1, 3);
    expect(versions.map((v) => [v.version, v.adds.length])).toEqual([[1, 2], [2, 0], [3, 2]]);
    for (const add of versions[0]!.adds) expect(add.path).toMatch(/^region=(eu|us)\/part-/);
  });

  it('refuses an UPDATE naming its version and operation, before returning anything', async () => {
    const failure = await appends(dir, 3).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(NotAnAppendError);
    expect(failure).toMatchObject({ version: 4, operation: 'UPDATE' });
    expect((failure as Error).message).toMatch(/^table orders: version 4 is not an append \(operation UPDATE: it removes .* with dataChange=true\).*Fix: land the table anew/);
  });

  it('refuses an overwrite (a WRITE that removes every file) naming WRITE', async () => {
    const other = join(tempDir('append-range-'), 'orders');
    deltalake('append', other, '0', '5');
    deltalake('overwrite', other, '100', '5');
    await expect(appends(other, 1)).rejects.toMatchObject({ name: 'NotAnAppendError', version: 1, operation: 'WRITE' });
  });

  it('names a version whose commit the log no longer holds', async () => {
    const storage = new LocalTableStorage(dir);
    const { listing } = await listFrom(storage, 1);
    listing.commits.delete(2);
    await expect(appendedFiles(storage, 'orders', listing, 1, 3)).rejects.toThrow(/version 2 is no longer in .*_delta_log\/ \(log retention\)/);
  });
});
